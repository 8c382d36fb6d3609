import { type BrokerNode, type TopicDefaults } from '../broker-node';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type Topic, type TopicStore, topicNameProblem } from '../storage/topic-store';

interface TopicMetadata {
  readonly errorCode: ErrorCode;
  readonly name: string;
  readonly partitionCount: number;
}

/**
 * Metadata v0–6. One broker, which leads every partition and is the controller. Unknown topics are created
 * with the default partition count when the broker allows auto-creation and (v4+) the request asks for it.
 */
export class MetadataHandler implements ApiHandler {
  readonly apiKey = ApiKey.Metadata;
  readonly minVersion = 0;
  readonly maxVersion = 6;

  constructor(
    private readonly node: BrokerNode,
    private readonly topics: TopicStore,
    private readonly defaults: TopicDefaults,
  ) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const requested = request.nullableArray((r) => r.string());
    const allowAutoCreation = apiVersion >= 4 ? request.boolean() : true;
    const allTopics = requested === null || (apiVersion === 0 && requested.length === 0);
    const topics = allTopics
      ? this.topics.all().map((t) => describe(t))
      : requested.map((name) => this.lookup(name, allowAutoCreation));
    return this.encode(apiVersion, topics);
  }

  private lookup(name: string, allowAutoCreation: boolean): TopicMetadata {
    const existing = this.topics.get(name);
    if (existing) return describe(existing);
    if (topicNameProblem(name) !== null) return { errorCode: ErrorCode.InvalidTopic, name, partitionCount: 0 };
    if (!this.defaults.autoCreateTopics || !allowAutoCreation) {
      return { errorCode: ErrorCode.UnknownTopicOrPartition, name, partitionCount: 0 };
    }
    return describe(this.topics.create(name, this.defaults.defaultPartitions));
  }

  private encode(version: number, topics: readonly TopicMetadata[]): ResponseWriter {
    const { nodeId, host, port, clusterId } = this.node;
    const writer = new ResponseWriter();
    if (version >= 3) writer.int32(0); // throttle_time_ms
    writer.array([this.node], (w) => {
      w.int32(nodeId).string(host).int32(port);
      if (version >= 1) w.string(null); // rack
    });
    if (version >= 2) writer.string(clusterId);
    if (version >= 1) writer.int32(nodeId); // controller_id
    writer.array(topics, (w, topic) => {
      w.int16(topic.errorCode).string(topic.name);
      if (version >= 1) w.boolean(false); // is_internal
      w.int32(topic.partitionCount);
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        w.int16(ErrorCode.None).int32(partition).int32(nodeId).int32Array([nodeId]).int32Array([nodeId]);
        if (version >= 5) w.int32Array([]); // offline_replicas
      }
    });
    return writer;
  }
}

function describe(topic: Topic): TopicMetadata {
  return { errorCode: ErrorCode.None, name: topic.name, partitionCount: topic.partitions.length };
}
