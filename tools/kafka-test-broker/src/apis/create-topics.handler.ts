import { type BrokerNode, type TopicDefaults } from '../broker-node';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type TopicStore, topicNameProblem } from '../storage/topic-store';

interface TopicCreation {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly { readonly partition: number; readonly replicas: readonly number[] }[];
}

interface TopicResult {
  readonly name: string;
  readonly errorCode: ErrorCode;
  readonly errorMessage: string | null;
}

/**
 * CreateTopics v0–3, with Kafka's validation: legal names, TOPIC_ALREADY_EXISTS, partition count, and a
 * replication factor of at most 1 (one broker). Topic configs are accepted and ignored.
 */
export class CreateTopicsHandler implements ApiHandler {
  readonly apiKey = ApiKey.CreateTopics;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(
    private readonly node: BrokerNode,
    private readonly topics: TopicStore,
    private readonly defaults: TopicDefaults,
  ) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const creations = request.array((r): TopicCreation => {
      const name = r.string();
      const numPartitions = r.int32();
      const replicationFactor = r.int16();
      const assignments = r.array((a) => ({ partition: a.int32(), replicas: a.array((x) => x.int32()) }));
      r.array((c) => [c.string(), c.nullableString()]); // config entries: accepted, not applied
      return { name, numPartitions, replicationFactor, assignments };
    });
    request.int32(); // timeout_ms: creation is immediate
    const validateOnly = apiVersion >= 1 ? request.boolean() : false;

    const names = creations.map((c) => c.name);
    const results = creations.map((creation): TopicResult => {
      if (names.indexOf(creation.name) !== names.lastIndexOf(creation.name)) {
        return failure(
          creation.name,
          ErrorCode.InvalidRequest,
          `Create topics request has duplicate topic ${creation.name}.`,
        );
      }
      return this.create(creation, validateOnly);
    });

    const writer = new ResponseWriter();
    if (apiVersion >= 2) writer.int32(0); // throttle_time_ms
    return writer.array(results, (w, result) => {
      w.string(result.name).int16(result.errorCode);
      if (apiVersion >= 1) w.string(result.errorMessage);
    });
  }

  private create(creation: TopicCreation, validateOnly: boolean): TopicResult {
    const { name, numPartitions, replicationFactor, assignments } = creation;
    const nameProblem = topicNameProblem(name);
    if (nameProblem !== null) return failure(name, ErrorCode.InvalidTopic, nameProblem);
    if (this.topics.has(name)) return failure(name, ErrorCode.TopicAlreadyExists, `Topic '${name}' already exists.`);

    let partitionCount: number;
    if (assignments.length > 0) {
      if (numPartitions !== -1 || replicationFactor !== -1) {
        return failure(
          name,
          ErrorCode.InvalidRequest,
          'Both numPartitions or replicationFactor and replicasAssignments were set.',
        );
      }
      const valid = assignments.every(
        (a, i) => a.partition === i && a.replicas.length === 1 && a.replicas[0] === this.node.nodeId,
      );
      if (!valid)
        return failure(
          name,
          ErrorCode.InvalidReplicaAssignment,
          `Replica assignment must place partitions 0..n-1 on broker ${this.node.nodeId} only.`,
        );
      partitionCount = assignments.length;
    } else {
      partitionCount = numPartitions === -1 ? this.defaults.defaultPartitions : numPartitions;
      if (partitionCount <= 0)
        return failure(name, ErrorCode.InvalidPartitions, 'Number of partitions must be larger than 0.');
      const replicas = replicationFactor === -1 ? 1 : replicationFactor;
      if (replicas !== 1) {
        return failure(
          name,
          ErrorCode.InvalidReplicationFactor,
          replicas <= 0
            ? 'Replication factor must be larger than 0.'
            : `Replication factor: ${replicas} larger than available brokers: 1.`,
        );
      }
    }
    if (!validateOnly) this.topics.create(name, partitionCount);
    return { name, errorCode: ErrorCode.None, errorMessage: null };
  }
}

function failure(name: string, errorCode: ErrorCode, errorMessage: string): TopicResult {
  return { name, errorCode, errorMessage };
}
