import { ErrorCode } from '../protocol/error-code';
import { type RecordBatchHeader } from './record-batch';

const NO_PRODUCER_ID = -1;
const MAX_SEQUENCE = 2_147_483_647;
/** Kafka keeps the metadata of the last 5 batches per producer and partition to detect retried duplicates. */
const CACHED_BATCHES = 5;

interface SequencedBatch {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
}

interface ProducerPartitionState {
  epoch: number;
  batches: SequencedBatch[];
}

type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly baseOffset: number }
  | { readonly kind: 'reject'; readonly errorCode: ErrorCode };

/**
 * Idempotent-producer bookkeeping (KIP-98 without transactions): producer ids from InitProducerId, and per
 * producer and partition the epoch and recent sequence numbers, so a retried batch is acknowledged with its
 * original offset instead of being appended twice, and a gap is refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
export class ProducerStateTable {
  private nextProducerId = 1;
  private readonly states = new Map<string, ProducerPartitionState>();

  allocateProducerId(): number {
    return this.nextProducerId++;
  }

  check(topic: string, partition: number, header: RecordBatchHeader): SequenceCheck {
    if (header.producerId === NO_PRODUCER_ID) return { kind: 'append' };
    const state = this.states.get(key(header.producerId, topic, partition));
    if (!state || header.producerEpoch > state.epoch) {
      return header.baseSequence === 0
        ? { kind: 'append' }
        : { kind: 'reject', errorCode: ErrorCode.OutOfOrderSequenceNumber };
    }
    if (header.producerEpoch < state.epoch) return { kind: 'reject', errorCode: ErrorCode.InvalidProducerEpoch };
    const lastSequence = sequenceAfter(header.baseSequence, header.lastOffsetDelta);
    const duplicate = state.batches.find(
      (b) => b.firstSequence === header.baseSequence && b.lastSequence === lastSequence,
    );
    if (duplicate) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    const newest = state.batches[state.batches.length - 1];
    const expected = newest ? sequenceAfter(newest.lastSequence, 1) : 0;
    return header.baseSequence === expected
      ? { kind: 'append' }
      : { kind: 'reject', errorCode: ErrorCode.OutOfOrderSequenceNumber };
  }

  /** Records an appended idempotent batch; call only after `check` returned `append`. */
  recordAppend(topic: string, partition: number, header: RecordBatchHeader, baseOffset: number): void {
    if (header.producerId === NO_PRODUCER_ID) return;
    const stateKey = key(header.producerId, topic, partition);
    let state = this.states.get(stateKey);
    if (!state || header.producerEpoch > state.epoch) {
      state = { epoch: header.producerEpoch, batches: [] };
      this.states.set(stateKey, state);
    }
    state.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: sequenceAfter(header.baseSequence, header.lastOffsetDelta),
      baseOffset,
    });
    if (state.batches.length > CACHED_BATCHES) state.batches.shift();
  }

  forgetTopic(topic: string): void {
    const suffix = `\u0000${topic}\u0000`;
    for (const stateKey of this.states.keys()) if (stateKey.includes(suffix)) this.states.delete(stateKey);
  }
}

function key(producerId: number, topic: string, partition: number): string {
  return `${producerId}\u0000${topic}\u0000${partition}`;
}

/** Sequence numbers wrap from INT32 max to 0. */
function sequenceAfter(sequence: number, delta: number): number {
  const next = sequence + delta;
  return next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next;
}
