import { PartitionLog } from './partition-log';
import { type RecordBatchHeader } from './record-batch';

function batch(records: number, maxTimestamp = 0): { bytes: Buffer; header: RecordBatchHeader } {
  return {
    bytes: Buffer.alloc(100),
    header: {
      lastOffsetDelta: records - 1,
      firstTimestamp: 0,
      maxTimestamp,
      producerId: -1,
      producerEpoch: 0,
      baseSequence: 0,
      recordCount: records,
    },
  };
}

function append(log: PartitionLog, records: number): number {
  const { bytes, header } = batch(records);
  return log.append(bytes, header);
}

describe(PartitionLog.name, () => {
  it('assigns consecutive offsets and stamps each batch’s base offset into it', () => {
    const log = new PartitionLog();
    const first = batch(3);

    expect(log.append(first.bytes, first.header)).toBe(0);
    expect(append(log, 2)).toBe(3);
    expect(log.highWatermark).toBe(5);
    expect(first.bytes.readBigInt64BE(0)).toBe(0n);
    expect(log.read(3, 1000, true).batches[0].readBigInt64BE(0)).toBe(3n);
  });

  it('reads from the batch holding the offset, whole batches only, within the byte limit', () => {
    const log = new PartitionLog();
    append(log, 3); // offsets 0-2
    append(log, 3); // offsets 3-5
    append(log, 3); // offsets 6-8

    expect(log.read(4, 250, true)).toMatchObject({ size: 200, batches: [expect.any(Buffer), expect.any(Buffer)] });
    expect(log.read(4, 10, true).size).toBe(100);
    expect(log.read(4, 10, false).size).toBe(0);
    expect(log.read(9, 1000, true).size).toBe(0);
  });

  it('tells listeners about appends until they unsubscribe', () => {
    const log = new PartitionLog();
    let calls = 0;
    const unsubscribe = log.onChange(() => calls++);

    append(log, 1);
    unsubscribe();
    append(log, 1);

    expect(calls).toBe(1);
  });
});
