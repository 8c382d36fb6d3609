import { ProtocolError } from '../protocol/protocol-error';
import { FrameReader } from './frame-reader';

function frame(body: string): Buffer {
  const payload = Buffer.from(body);
  const sized = Buffer.alloc(4 + payload.length);
  sized.writeInt32BE(payload.length, 0);
  payload.copy(sized, 4);
  return sized;
}

describe(FrameReader.name, () => {
  it('returns every complete frame of a chunk', () => {
    const reader = new FrameReader(1024);

    const frames = reader.push(Buffer.concat([frame('first'), frame('second')]));

    expect(frames.map(String)).toEqual(['first', 'second']);
  });

  it('reassembles a frame split across chunks, including a split size prefix', () => {
    const reader = new FrameReader(1024);
    const bytes = Buffer.concat([frame('split-me'), frame('next')]);

    const received = [bytes.subarray(0, 2), bytes.subarray(2, 7), bytes.subarray(7, 15), bytes.subarray(15)].flatMap(
      (chunk) => reader.push(chunk).map(String),
    );

    expect(received).toEqual(['split-me', 'next']);
  });

  it('refuses a frame larger than the limit', () => {
    const reader = new FrameReader(4);

    expect(() => reader.push(frame('too large'))).toThrow(ProtocolError);
  });
});
