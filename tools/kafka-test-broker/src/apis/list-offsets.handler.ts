import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type TopicStore } from '../storage/topic-store';

const LATEST = -1;
const EARLIEST = -2;

interface PartitionOffset {
  readonly partition: number;
  readonly errorCode: ErrorCode;
  readonly timestamp: number;
  readonly offset: number;
}

/** ListOffsets v1–3: latest (-1), earliest (-2), or the first offset at or after a timestamp. */
export class ListOffsetsHandler implements ApiHandler {
  readonly apiKey = ApiKey.ListOffsets;
  readonly minVersion = 1;
  readonly maxVersion = 3;

  constructor(private readonly topics: TopicStore) {}

  async handle(request: RequestReader, { apiVersion }: RequestContext): Promise<ResponseWriter> {
    request.int32(); // replica_id
    if (apiVersion >= 2) request.int8(); // isolation_level: without transactions, last stable = high watermark
    const requested = request.array((r) => ({
      topic: r.string(),
      partitions: r.array((p) => ({ partition: p.int32(), timestamp: p.int64() })),
    }));

    const results = [];
    for (const { topic, partitions } of requested) {
      const offsets: PartitionOffset[] = [];
      for (const { partition, timestamp } of partitions) offsets.push(await this.lookup(topic, partition, timestamp));
      results.push({ topic, offsets });
    }

    const writer = new ResponseWriter();
    if (apiVersion >= 2) writer.int32(0); // throttle_time_ms
    return writer.array(results, (w, { topic, offsets }) => {
      w.string(topic).array(offsets, (pw, o) =>
        pw.int32(o.partition).int16(o.errorCode).int64(o.timestamp).int64(o.offset),
      );
    });
  }

  private async lookup(topic: string, partition: number, timestamp: number): Promise<PartitionOffset> {
    const log = this.topics.get(topic)?.partition(partition);
    if (!log) return { partition, errorCode: ErrorCode.UnknownTopicOrPartition, timestamp: -1, offset: -1 };
    if (timestamp === LATEST) return { partition, errorCode: ErrorCode.None, timestamp: -1, offset: log.highWatermark };
    if (timestamp === EARLIEST)
      return { partition, errorCode: ErrorCode.None, timestamp: -1, offset: log.logStartOffset };
    const found = await log.lookupTimestamp(timestamp);
    return { partition, errorCode: ErrorCode.None, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
  }
}
