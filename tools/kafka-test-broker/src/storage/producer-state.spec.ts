import { ErrorCode } from '../protocol/error-code';
import { ProducerStateTable } from './producer-state';
import { type RecordBatchHeader } from './record-batch';

const header = (baseSequence: number, records = 2, producerEpoch = 0): RecordBatchHeader => ({
  lastOffsetDelta: records - 1,
  firstTimestamp: 0,
  maxTimestamp: 0,
  producerId: 7,
  producerEpoch,
  baseSequence,
  recordCount: records,
});

describe(ProducerStateTable.name, () => {
  let table: ProducerStateTable;

  beforeEach(() => {
    table = new ProducerStateTable();
    table.recordAppend('t', 0, header(0), 0); // sequences 0-1 at offsets 0-1
  });

  it('appends the next sequence', () => {
    expect(table.check('t', 0, header(2))).toEqual({ kind: 'append' });
  });

  it('acknowledges a retried batch with its original offset instead of appending it again', () => {
    expect(table.check('t', 0, header(0))).toEqual({ kind: 'duplicate', baseOffset: 0 });
  });

  it('refuses a gap in the sequence', () => {
    expect(table.check('t', 0, header(5))).toEqual({ kind: 'reject', errorCode: ErrorCode.OutOfOrderSequenceNumber });
  });

  it('refuses a fenced (older) producer epoch and restarts sequences for a newer one', () => {
    table.recordAppend('t', 0, header(0, 1, 1), 2);

    expect(table.check('t', 0, header(1, 1, 0))).toEqual({ kind: 'reject', errorCode: ErrorCode.InvalidProducerEpoch });
    expect(table.check('t', 0, header(0, 1, 2))).toEqual({ kind: 'append' });
  });

  it('lets non-idempotent batches through', () => {
    expect(table.check('t', 0, { ...header(99), producerId: -1 })).toEqual({ kind: 'append' });
  });
});
