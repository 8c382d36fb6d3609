import { ProtocolError } from '../protocol/protocol-error';

const SIZE_BYTES = 4;

/**
 * Splits a TCP byte stream into Kafka request frames (INT32 size, then that many bytes). Bytes are only copied
 * when a frame spans several socket reads.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Takes the next bytes read from the socket and returns the frames they complete (without the size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= SIZE_BYTES) {
      const size = this.peekSize();
      if (size < 0 || size > this.maxFrameBytes) {
        throw new ProtocolError(`request size ${size} is outside 0..${this.maxFrameBytes} bytes`);
      }
      if (this.buffered < SIZE_BYTES + size) break;
      const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      frames.push(data.subarray(SIZE_BYTES, SIZE_BYTES + size));
      const rest = data.subarray(SIZE_BYTES + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= SIZE_BYTES) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [head];
    return head.readInt32BE(0);
  }
}
