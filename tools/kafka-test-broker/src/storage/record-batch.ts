import crc32C from 'kafkajs/src/protocol/recordBatch/crc32C';
import { ErrorCode } from '../protocol/error-code';

/**
 * Record batch v2 (magic 2) layout, see https://kafka.apache.org/documentation/#recordbatch. The broker stores
 * batches as the producer sent them and only rewrites the fields outside the CRC (base offset, leader epoch).
 */
const BASE_OFFSET = 0;
const BATCH_LENGTH = 8;
const PARTITION_LEADER_EPOCH = 12;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const FIRST_TIMESTAMP = 27;
const MAX_TIMESTAMP = 35;
const PRODUCER_ID = 43;
const PRODUCER_EPOCH = 51;
const BASE_SEQUENCE = 53;
const RECORDS_COUNT = 57;
const RECORD_BATCH_OVERHEAD = 61;
/** Bytes of a batch counted by its BatchLength field start after BaseOffset and BatchLength. */
const LOG_OVERHEAD = 12;

const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;

/** The header fields of a validated batch that the broker acts on. */
export interface RecordBatchHeader {
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

type RecordBatchValidation =
  | { readonly ok: true; readonly header: RecordBatchHeader }
  | { readonly ok: false; readonly errorCode: ErrorCode; readonly message: string };

/**
 * Validates the RECORDS of one partition in a Produce request (v3+): exactly one magic-2 batch with a correct
 * CRC-32C, not transactional (the test broker has no transaction coordinator).
 */
export function validateProducedBatch(records: Buffer): RecordBatchValidation {
  if (records.length < RECORD_BATCH_OVERHEAD) {
    return invalid(ErrorCode.CorruptMessage, `record set of ${records.length} bytes is smaller than a batch header`);
  }
  const magic = records.readInt8(MAGIC);
  if (magic !== 2) {
    return invalid(ErrorCode.InvalidRecord, `Produce v3+ requires record batches with magic 2, got ${magic}`);
  }
  const batchLength = records.readInt32BE(BATCH_LENGTH);
  if (batchLength + LOG_OVERHEAD !== records.length) {
    return invalid(ErrorCode.InvalidRecord, 'Produce v3+ requires exactly one record batch per partition');
  }
  const expectedCrc = records.readUInt32BE(CRC);
  if (crc32C(records.subarray(ATTRIBUTES)) !== expectedCrc) {
    return invalid(ErrorCode.CorruptMessage, 'record batch CRC-32C mismatch');
  }
  const attributes = records.readInt16BE(ATTRIBUTES);
  if ((attributes & (TRANSACTIONAL_FLAG | CONTROL_FLAG)) !== 0) {
    return invalid(ErrorCode.InvalidRecord, 'transactional and control batches are not supported by kafka-test-broker');
  }
  const lastOffsetDelta = records.readInt32BE(LAST_OFFSET_DELTA);
  const recordCount = records.readInt32BE(RECORDS_COUNT);
  if (lastOffsetDelta < 0 || recordCount <= 0) {
    return invalid(ErrorCode.InvalidRecord, 'record batch holds no records');
  }
  return {
    ok: true,
    header: {
      lastOffsetDelta,
      firstTimestamp: Number(records.readBigInt64BE(FIRST_TIMESTAMP)),
      maxTimestamp: Number(records.readBigInt64BE(MAX_TIMESTAMP)),
      producerId: Number(records.readBigInt64BE(PRODUCER_ID)),
      producerEpoch: records.readInt16BE(PRODUCER_EPOCH),
      baseSequence: records.readInt32BE(BASE_SEQUENCE),
      recordCount,
    },
  };
}

/** Stamps the log position on a stored batch; both fields lie outside the CRC, as in Kafka's log append. */
export function assignBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
  batch.writeInt32BE(0, PARTITION_LEADER_EPOCH);
}

function invalid(errorCode: ErrorCode, message: string): RecordBatchValidation {
  return { ok: false, errorCode, message };
}
