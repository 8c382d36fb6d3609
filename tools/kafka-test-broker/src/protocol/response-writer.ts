import Encoder from 'kafkajs/src/protocol/encoder';

/**
 * Writer for the non-flexible Kafka response encoding, over kafkajs' own Encoder. The frame header is reserved
 * up front so the finished frame is one buffer with no copy.
 */
export class ResponseWriter {
  private readonly encoder = new Encoder(256);

  constructor() {
    this.encoder.writeInt32(0).writeInt32(0); // frame size, correlation id (response header v0): filled in by toFrame
  }

  int8(value: number): this {
    this.encoder.writeInt8(value);
    return this;
  }

  int16(value: number): this {
    this.encoder.writeInt16(value);
    return this;
  }

  int32(value: number): this {
    this.encoder.writeInt32(value);
    return this;
  }

  int64(value: number | bigint): this {
    this.encoder.writeInt64(value);
    return this;
  }

  boolean(value: boolean): this {
    this.encoder.writeBoolean(value);
    return this;
  }

  string(value: string | null): this {
    this.encoder.writeString(value);
    return this;
  }

  bytes(value: Buffer | null): this {
    this.encoder.writeBytes(value);
    return this;
  }

  /** Raw bytes with no length prefix (record batches inside a RECORDS field). */
  raw(value: Buffer): this {
    this.encoder.writeBuffer(value);
    return this;
  }

  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    this.encoder.writeInt32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  int32Array(items: readonly number[]): this {
    this.encoder.writeInt32(items.length);
    for (const item of items) this.encoder.writeInt32(item);
    return this;
  }

  /** Completes the frame: size prefix and correlation id. */
  toFrame(correlationId: number): Buffer {
    const frame = this.encoder.buffer;
    frame.writeInt32BE(frame.length - 4, 0);
    frame.writeInt32BE(correlationId, 4);
    return frame;
  }
}
