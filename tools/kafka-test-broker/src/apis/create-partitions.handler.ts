import { type ApiHandler } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type TopicStore } from '../storage/topic-store';

interface PartitionResult {
  readonly name: string;
  readonly errorCode: ErrorCode;
  readonly errorMessage: string | null;
}

/** CreatePartitions v0–1: grows a topic to a larger partition count. */
export class CreatePartitionsHandler implements ApiHandler {
  readonly apiKey = ApiKey.CreatePartitions;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly topics: TopicStore) {}

  handle(request: RequestReader): ResponseWriter {
    const requests = request.array((r) => ({
      name: r.string(),
      count: r.int32(),
      assignments: r.nullableArray((a) => a.array((x) => x.int32())),
    }));
    request.int32(); // timeout_ms
    const validateOnly = request.boolean();

    const results = requests.map(({ name, count, assignments }): PartitionResult => {
      const topic = this.topics.get(name);
      if (!topic)
        return { name, errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${name}' does not exist.` };
      const current = topic.partitions.length;
      if (count <= current) {
        return {
          name,
          errorCode: ErrorCode.InvalidPartitions,
          errorMessage: `Topic currently has ${current} partitions, which is higher than the requested ${count}.`,
        };
      }
      if (assignments !== null && assignments.length !== count - current) {
        return {
          name,
          errorCode: ErrorCode.InvalidReplicaAssignment,
          errorMessage: 'Increasing the number of partitions needs one assignment per new partition.',
        };
      }
      if (!validateOnly) this.topics.addPartitions(topic, count);
      return { name, errorCode: ErrorCode.None, errorMessage: null };
    });
    return new ResponseWriter()
      .int32(0) // throttle_time_ms
      .array(results, (w, result) => w.string(result.name).int16(result.errorCode).string(result.errorMessage));
  }
}
