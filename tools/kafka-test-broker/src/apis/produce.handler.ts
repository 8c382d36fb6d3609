import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type ProducerStateTable } from '../storage/producer-state';
import { validateProducedBatch } from '../storage/record-batch';
import { type TopicStore } from '../storage/topic-store';

interface PartitionResult {
  readonly partition: number;
  readonly errorCode: ErrorCode;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

/**
 * Produce v3–7 (record batch v2). The batch is validated (magic, single batch, CRC-32C, idempotent sequence),
 * stored as sent with its base offset stamped in, and waiting fetches are woken. With one replica, acks=1 and
 * acks=-1 are both satisfied on append; acks=0 gets no response.
 */
export class ProduceHandler implements ApiHandler {
  readonly apiKey = ApiKey.Produce;
  readonly minVersion = 3;
  readonly maxVersion = 7;

  constructor(
    private readonly topics: TopicStore,
    private readonly producers: ProducerStateTable,
  ) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter | null {
    request.nullableString(); // transactional_id: transactional batches are refused below
    const acks = request.int16();
    request.int32(); // timeout_ms
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const results = request.array((r) => {
      const topic = r.string();
      const partitions = r.array((p): PartitionResult => {
        const partition = p.int32();
        const records = p.nullableBytes();
        if (!validAcks) return rejected(partition, ErrorCode.InvalidRequiredAcks);
        return this.append(topic, partition, records);
      });
      return { topic, partitions };
    });
    if (acks === 0) return null;

    const writer = new ResponseWriter().array(results, (w, { topic, partitions }) => {
      w.string(topic).array(partitions, (pw, result) => {
        pw.int32(result.partition).int16(result.errorCode).int64(result.baseOffset).int64(-1); // log_append_time
        if (apiVersion >= 5) pw.int64(result.logStartOffset);
      });
    });
    return writer.int32(0); // throttle_time_ms
  }

  private append(topicName: string, partition: number, records: Buffer | null): PartitionResult {
    const log = this.topics.get(topicName)?.partition(partition);
    if (!log) return rejected(partition, ErrorCode.UnknownTopicOrPartition);
    if (records === null) return rejected(partition, ErrorCode.CorruptMessage);
    const validation = validateProducedBatch(records);
    if (!validation.ok) return rejected(partition, validation.errorCode);
    const sequence = this.producers.check(topicName, partition, validation.header);
    switch (sequence.kind) {
      case 'reject':
        return rejected(partition, sequence.errorCode);
      case 'duplicate':
        return {
          partition,
          errorCode: ErrorCode.None,
          baseOffset: sequence.baseOffset,
          logStartOffset: log.logStartOffset,
        };
      case 'append': {
        // Copy: the request buffer is reused by the connection, and the stored batch gets its offset stamped.
        const baseOffset = log.append(Buffer.from(records), validation.header);
        this.producers.recordAppend(topicName, partition, validation.header, baseOffset);
        return { partition, errorCode: ErrorCode.None, baseOffset, logStartOffset: log.logStartOffset };
      }
    }
  }
}

function rejected(partition: number, errorCode: ErrorCode): PartitionResult {
  return { partition, errorCode, baseOffset: -1, logStartOffset: -1 };
}
