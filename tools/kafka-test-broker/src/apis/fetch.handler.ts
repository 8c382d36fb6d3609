import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type LogSlice, type PartitionLog } from '../storage/partition-log';
import { type TopicStore } from '../storage/topic-store';

interface PartitionFetch {
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface TopicFetch {
  readonly topic: string;
  readonly partitions: readonly PartitionFetch[];
}

interface FetchRequest {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly sessionEpoch: number;
  readonly sessionId: number;
  readonly topics: readonly TopicFetch[];
}

interface PartitionData {
  readonly partition: number;
  readonly errorCode: ErrorCode;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly records: LogSlice;
}

interface FetchResult {
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly PartitionData[] }[];
  readonly bytes: number;
  readonly hasError: boolean;
}

const NO_RECORDS: LogSlice = { batches: [], size: 0 };
/** Incremental fetch sessions (KIP-227) are not kept: every fetch is a full, sessionless fetch. */
const SESSIONLESS = 0;

/**
 * Fetch v4–11 with long polling: when fewer than min_bytes are available the request is parked until an append
 * to one of its partitions makes enough data available (then it is answered at once), until max_wait_ms, or
 * until the broker stops. Limits follow Kafka: whole record batches within partition_max_bytes and max_bytes,
 * except that the first batch of the response is always returned so a consumer can make progress.
 */
export class FetchHandler implements ApiHandler {
  readonly apiKey = ApiKey.Fetch;
  readonly minVersion = 4;
  readonly maxVersion = 11;

  constructor(private readonly topics: TopicStore) {}

  async handle(request: RequestReader, { apiVersion, shutdown }: RequestContext): Promise<ResponseWriter> {
    const fetch = decodeFetch(request, apiVersion);
    if (fetch.sessionId !== SESSIONLESS || fetch.sessionEpoch > 0) {
      return encodeFetch(apiVersion, ErrorCode.FetchSessionIdNotFound, { topics: [], bytes: 0, hasError: true });
    }
    let result = this.read(fetch);
    if (!isSatisfied(result, fetch) && fetch.maxWaitMs > 0 && !shutdown.aborted) {
      await this.waitForData(fetch, shutdown);
      result = this.read(fetch);
    }
    return encodeFetch(apiVersion, ErrorCode.None, result);
  }

  private read(fetch: FetchRequest): FetchResult {
    let bytes = 0;
    let hasError = false;
    const topics = fetch.topics.map(({ topic, partitions }) => {
      const stored = this.topics.get(topic);
      return {
        topic,
        partitions: partitions.map(({ partition, fetchOffset, maxBytes }): PartitionData => {
          const log = stored?.partition(partition);
          if (!log) {
            hasError = true;
            return {
              partition,
              errorCode: ErrorCode.UnknownTopicOrPartition,
              highWatermark: -1,
              logStartOffset: -1,
              records: NO_RECORDS,
            };
          }
          const { highWatermark, logStartOffset } = log;
          if (fetchOffset < logStartOffset || fetchOffset > highWatermark) {
            hasError = true;
            return {
              partition,
              errorCode: ErrorCode.OffsetOutOfRange,
              highWatermark,
              logStartOffset,
              records: NO_RECORDS,
            };
          }
          const budget = Math.max(0, Math.min(maxBytes, fetch.maxBytes - bytes));
          const records = log.read(fetchOffset, budget, bytes === 0);
          bytes += records.size;
          return { partition, errorCode: ErrorCode.None, highWatermark, logStartOffset, records };
        }),
      };
    });
    return { topics, bytes, hasError };
  }

  private waitForData(fetch: FetchRequest, shutdown: AbortSignal): Promise<void> {
    const logs: PartitionLog[] = [];
    for (const { topic, partitions } of fetch.topics) {
      const stored = this.topics.get(topic);
      for (const { partition } of partitions) {
        const log = stored?.partition(partition);
        if (log) logs.push(log);
      }
    }
    return new Promise<void>((resolve) => {
      let settled = false;
      const unsubscribes: (() => void)[] = [];
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        shutdown.removeEventListener('abort', finish);
        for (const unsubscribe of unsubscribes) unsubscribe();
        resolve();
      };
      const timer = setTimeout(finish, fetch.maxWaitMs);
      shutdown.addEventListener('abort', finish, { once: true });
      const onAppend = () => {
        if (isSatisfied(this.read(fetch), fetch)) finish();
      };
      for (const log of logs) unsubscribes.push(log.onChange(onAppend));
    });
  }
}

function isSatisfied(result: FetchResult, fetch: FetchRequest): boolean {
  return result.hasError || result.bytes >= fetch.minBytes;
}

function decodeFetch(request: RequestReader, version: number): FetchRequest {
  request.int32(); // replica_id: consumers only, no follower fetching
  const maxWaitMs = request.int32();
  const minBytes = request.int32();
  const maxBytes = request.int32();
  request.int8(); // isolation_level: without transactions, last stable offset = high watermark
  const sessionId = version >= 7 ? request.int32() : SESSIONLESS;
  const sessionEpoch = version >= 7 ? request.int32() : -1;
  const topics = request.array((r): TopicFetch => ({
    topic: r.string(),
    partitions: r.array((p): PartitionFetch => {
      const partition = p.int32();
      if (version >= 9) p.int32(); // current_leader_epoch
      const fetchOffset = p.int64();
      if (version >= 5) p.int64(); // log_start_offset (followers only)
      return { partition, fetchOffset, maxBytes: p.int32() };
    }),
  }));
  if (version >= 7) request.array((r) => [r.string(), r.array((p) => p.int32())]); // forgotten_topics_data
  if (version >= 11) request.string(); // rack_id
  return { maxWaitMs, minBytes, maxBytes, sessionId, sessionEpoch, topics };
}

function encodeFetch(version: number, errorCode: ErrorCode, result: FetchResult): ResponseWriter {
  const writer = new ResponseWriter().int32(0); // throttle_time_ms
  if (version >= 7) writer.int16(errorCode).int32(SESSIONLESS);
  return writer.array(result.topics, (w, { topic, partitions }) => {
    w.string(topic).array(partitions, (pw, data) => {
      pw.int32(data.partition).int16(data.errorCode).int64(data.highWatermark).int64(data.highWatermark); // last_stable_offset
      if (version >= 5) pw.int64(data.logStartOffset);
      pw.int32(0); // aborted_transactions: none
      if (version >= 11) pw.int32(-1); // preferred_read_replica
      pw.int32(data.records.size);
      for (const batch of data.records.batches) pw.raw(batch);
    });
  });
}
