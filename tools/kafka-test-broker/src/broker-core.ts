import { ApiVersionsHandler } from './apis/api-versions.handler';
import { CreatePartitionsHandler } from './apis/create-partitions.handler';
import { CreateTopicsHandler } from './apis/create-topics.handler';
import { DeleteGroupsHandler } from './apis/delete-groups.handler';
import { DeleteTopicsHandler } from './apis/delete-topics.handler';
import { DescribeGroupsHandler } from './apis/describe-groups.handler';
import { FetchHandler } from './apis/fetch.handler';
import { FindCoordinatorHandler } from './apis/find-coordinator.handler';
import { HeartbeatHandler } from './apis/heartbeat.handler';
import { InitProducerIdHandler } from './apis/init-producer-id.handler';
import { JoinGroupHandler } from './apis/join-group.handler';
import { LeaveGroupHandler } from './apis/leave-group.handler';
import { ListGroupsHandler } from './apis/list-groups.handler';
import { ListOffsetsHandler } from './apis/list-offsets.handler';
import { MetadataHandler } from './apis/metadata.handler';
import { OffsetCommitHandler } from './apis/offset-commit.handler';
import { OffsetFetchHandler } from './apis/offset-fetch.handler';
import { ProduceHandler } from './apis/produce.handler';
import { SyncGroupHandler } from './apis/sync-group.handler';
import { type BrokerLogger, silentLogger } from './broker-logger';
import { type BrokerNode, type TopicDefaults } from './broker-node';
import { GroupCoordinator } from './groups/group-coordinator';
import { type ApiHandler, type ApiVersionRange } from './protocol/api-handler';
import { RequestDispatcher } from './protocol/request-dispatcher';
import { ProducerStateTable } from './storage/producer-state';
import { TopicStore } from './storage/topic-store';

/**
 * The broker without its socket server: state (topics, groups, producer ids) and the API handlers over it.
 * Feed it request frames through `dispatcher`.
 */
export class BrokerCore {
  readonly topics = new TopicStore();
  readonly producers = new ProducerStateTable();
  readonly groups: GroupCoordinator;
  readonly dispatcher: RequestDispatcher;
  readonly supportedApis: readonly ApiVersionRange[];
  private readonly shutdownController = new AbortController();

  constructor(node: BrokerNode, defaults: TopicDefaults, logger: BrokerLogger = silentLogger) {
    this.groups = new GroupCoordinator(this.topics, logger);
    const handlers: ApiHandler[] = [
      new ProduceHandler(this.topics, this.producers),
      new FetchHandler(this.topics),
      new ListOffsetsHandler(this.topics),
      new MetadataHandler(node, this.topics, defaults),
      new OffsetCommitHandler(this.groups),
      new OffsetFetchHandler(this.groups),
      new FindCoordinatorHandler(node),
      new JoinGroupHandler(this.groups),
      new HeartbeatHandler(this.groups),
      new LeaveGroupHandler(this.groups),
      new SyncGroupHandler(this.groups),
      new DescribeGroupsHandler(this.groups),
      new ListGroupsHandler(this.groups),
      new ApiVersionsHandler(() => this.supportedApis),
      new CreateTopicsHandler(node, this.topics, defaults),
      new DeleteTopicsHandler(this.topics, this.groups, this.producers),
      new InitProducerIdHandler(this.producers),
      new CreatePartitionsHandler(this.topics),
      new DeleteGroupsHandler(this.groups),
    ];
    this.supportedApis = handlers.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
    this.dispatcher = new RequestDispatcher(handlers, this.shutdownController.signal);
  }

  /** Ends parked fetches and group requests and stops every timer. */
  shutdown(): void {
    this.shutdownController.abort();
    this.groups.shutdown();
  }
}
