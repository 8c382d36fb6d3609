import { Logger } from '@nestjs/common';
import { type StrataConfig } from '@strata/config';
import { isStrataTopic, topicSettings } from '@strata/contracts';
import { type Admin, type ITopicConfig, Kafka } from 'kafkajs';
import { kafkaClientConfig } from './kafka-client-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The table's configs of a Strata topic; none for a topic outside the table (tests' own topics). */
function knownTopicConfigs(topic: string): Readonly<Record<string, string>> {
  return isStrataTopic(topic) ? topicSettings(topic).configs : {};
}

/**
 * How a service creates a missing topic: the configured partitions and replication, and the topic's
 * retention/cleanup settings from the one table in libs/contracts (the kafka-topics Job uses the same),
 * so a topic created by a service before the Job runs is not left with the broker's 7-day default.
 */
export function topicCreations(
  topics: readonly string[],
  kafka: Pick<StrataConfig['kafka'], 'partitions' | 'replicationFactor'>,
): ITopicConfig[] {
  return topics.map((topic) => ({
    topic,
    numPartitions: kafka.partitions,
    replicationFactor: kafka.replicationFactor,
    configEntries: Object.entries(knownTopicConfigs(topic)).map(([name, value]) => ({ name, value })),
  }));
}

/**
 * The service's Kafka admin connection: waits for the broker at startup (with backoff, logging each
 * wait), creates missing topics, and answers readiness.
 */
export class KafkaAdmin {
  private readonly logger = new Logger('Kafka');
  private readonly admin: Admin;
  private connected = false;
  private closed = false;

  constructor(
    private readonly config: StrataConfig,
    clientId: string,
  ) {
    this.admin = new Kafka(kafkaClientConfig(config, `${clientId}-admin`)).admin();
    this.admin.on(this.admin.events.CONNECT, () => (this.connected = true));
    this.admin.on(this.admin.events.DISCONNECT, () => (this.connected = false));
  }

  /** Resolves once a broker answers; retries forever with backoff (capped at 5 s) unless closed. */
  async waitForBroker(): Promise<void> {
    let delay = 200;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.admin.connect();
        await this.admin.describeCluster();
        if (attempt > 1) this.logger.log(`connected to Kafka after ${attempt} attempts`);
        return;
      } catch (error) {
        this.logger.warn(
          `Kafka not reachable at ${this.config.kafka.brokers.join(',')} (attempt ${attempt}): ${(error as Error).message}; retrying in ${delay} ms`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /**
   * Creates the topics that do not exist yet, with their settings ({@link topicCreations}). Existing
   * topics are left to the kafka-topics Job, which alters them to the table. A cluster that refuses (no CreateTopics ACL on managed
   * Kafka, an old broker) is logged and tolerated: the service goes on with the topics that exist or
   * are auto-created, rather than crash-looping.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    try {
      const existing = new Set(await this.admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      await this.admin.createTopics({ waitForLeaders: true, topics: topicCreations(missing, this.config.kafka) });
      this.logger.log(`created topics: ${missing.join(', ')}`);
    } catch (error) {
      this.logger.warn(`could not create topics (${(error as Error).message}); continuing with the topics that exist`);
    }
  }

  /** Per topic: the sum over its partitions of high watermark minus the group's committed offset. */
  async consumerLag(
    groupId: string,
    topics: readonly string[],
  ): Promise<{ group: string; topic: string; lag: number }[]> {
    const committed = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    const result: { group: string; topic: string; lag: number }[] = [];
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      let lag = 0;
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition);
        const offset = done && Number(done.offset) >= 0 ? Number(done.offset) : Number(end.low);
        lag += Math.max(0, Number(end.high) - offset);
      }
      result.push({ group: groupId, topic, lag });
    }
    return result;
  }

  /**
   * Resolves once every topic exists. A service whose topics are missing (creation refused and nobody
   * created them) waits here, unready and saying which are missing, instead of crash-looping.
   */
  async waitForTopics(topics: readonly string[]): Promise<void> {
    let delay = 1_000;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const existing = new Set(await this.admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length === 0) return;
        this.logger.warn(
          `waiting for topics to be created (attempt ${attempt}): ${missing.join(', ')} — see deploy/base/kafka/topics.txt`,
        );
      } catch (error) {
        this.logger.warn(`could not list topics (attempt ${attempt}): ${(error as Error).message}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  async ping(): Promise<void> {
    if (!this.connected) throw new Error('not connected to Kafka');
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.admin.disconnect();
  }
}
