import Decoder from 'kafkajs/src/protocol/decoder';
import decodeRecordBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder';
import { assignBaseOffset, type RecordBatchHeader } from './record-batch';

interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  /** The full batch as sent by the producer, with the base offset stamped in. */
  readonly bytes: Buffer;
}

/** Record batches read for a fetch, ready to be written back to back into a RECORDS field. */
export interface LogSlice {
  readonly batches: readonly Buffer[];
  readonly size: number;
}

interface TimestampLookup {
  readonly offset: number;
  readonly timestamp: number;
}

type AppendListener = () => void;

const EMPTY_SLICE: LogSlice = { batches: [], size: 0 };

/**
 * The in-memory log of one partition: an append-only list of record batches. Nothing is ever truncated, so the
 * log start offset stays 0 and the high watermark is the log end offset (one replica, always in sync).
 */
export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private readonly listeners = new Set<AppendListener>();
  private endOffset = 0;

  readonly logStartOffset = 0;

  get highWatermark(): number {
    return this.endOffset;
  }

  /** Appends a validated batch (the caller hands over ownership of `batch`) and returns its base offset. */
  append(batch: Buffer, header: RecordBatchHeader): number {
    const baseOffset = this.endOffset;
    assignBaseOffset(batch, baseOffset);
    const lastOffset = baseOffset + header.lastOffsetDelta;
    this.batches.push({ baseOffset, lastOffset, maxTimestamp: header.maxTimestamp, bytes: batch });
    this.endOffset = lastOffset + 1;
    this.notify();
    return baseOffset;
  }

  /**
   * Whole batches from the one containing `fetchOffset`, as long as they fit in `maxBytes`. With
   * `atLeastOneBatch` the first batch is returned even if larger (Kafka's rule so that consumers make progress).
   */
  read(fetchOffset: number, maxBytes: number, atLeastOneBatch: boolean): LogSlice {
    let index = this.indexOfBatchContaining(fetchOffset);
    if (index < 0) return EMPTY_SLICE;
    const batches: Buffer[] = [];
    let size = 0;
    for (; index < this.batches.length; index++) {
      const bytes = this.batches[index].bytes;
      const fits = size + bytes.length <= maxBytes || (atLeastOneBatch && batches.length === 0);
      if (!fits) break;
      batches.push(bytes);
      size += bytes.length;
    }
    return { batches, size };
  }

  /** The earliest record whose timestamp is at or after `timestamp` (ListOffsets by time), or null. */
  async lookupTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    for (const batch of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      try {
        const decoded = await decodeRecordBatch(new Decoder(batch.bytes));
        const record = decoded.records.find((r) => Number(r.timestamp) >= timestamp);
        if (record) return { offset: Number(record.offset), timestamp: Number(record.timestamp) };
      } catch {
        // A codec kafkajs cannot decompress (snappy/lz4/zstd without a plugin): answer at batch granularity.
        return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
      }
    }
    return null;
  }

  /** Calls `listener` after every append and when the log is closed; returns the unsubscribe function. */
  onChange(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The partition is going away (topic deleted): wake every waiting fetch so it can report the error. */
  close(): void {
    this.notify();
    this.listeners.clear();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private indexOfBatchContaining(offset: number): number {
    let low = 0;
    let high = this.batches.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.batches[mid].lastOffset >= offset) {
        found = mid;
        high = mid - 1;
      } else {
        low = mid + 1;
      }
    }
    return found;
  }
}
