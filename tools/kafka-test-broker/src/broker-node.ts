/** How clients reach this broker: what Metadata and FindCoordinator advertise. */
export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
}

/** Topic settings of the broker (Kafka's auto.create.topics.enable and num.partitions). */
export interface TopicDefaults {
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
}
