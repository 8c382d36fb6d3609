import Decoder from 'kafkajs/src/protocol/decoder';
import { ProtocolError } from './protocol-error';

/**
 * Typed reader for the non-flexible (pre-KIP-482) Kafka request encoding, over kafkajs' own Decoder.
 * Every read is bounds-checked: a truncated request raises a ProtocolError instead of yielding garbage.
 */
export class RequestReader {
  private readonly decoder: Decoder;

  constructor(buffer: Buffer, offset = 0) {
    this.decoder = new Decoder(buffer);
    this.decoder.offset = offset;
  }

  get remaining(): number {
    return this.decoder.buffer.length - this.decoder.offset;
  }

  int8(): number {
    this.require(1);
    return this.decoder.readInt8();
  }

  int16(): number {
    this.require(2);
    return this.decoder.readInt16();
  }

  int32(): number {
    this.require(4);
    return this.decoder.readInt32();
  }

  /** INT64 as a JS number: offsets and timestamps of an in-memory test broker stay far below 2^53. */
  int64(): number {
    this.require(8);
    return Number(this.decoder.readInt64());
  }

  boolean(): boolean {
    this.require(1);
    return this.decoder.readBoolean();
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolError('a non-nullable STRING was null');
    return value;
  }

  nullableString(): string | null {
    this.require(2);
    const length = this.decoder.buffer.readInt16BE(this.decoder.offset);
    if (length > 0) this.require(2 + length);
    return this.decoder.readString();
  }

  /** BYTES / RECORDS: a view into the request buffer (no copy), or null. */
  nullableBytes(): Buffer | null {
    this.require(4);
    const length = this.decoder.buffer.readInt32BE(this.decoder.offset);
    if (length > 0) this.require(4 + length);
    return this.decoder.readBytes();
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** ARRAY; a null array (length -1) reads as empty, as for every request field where Kafka treats them alike. */
  array<T>(readItem: (reader: this) => T): T[] {
    return this.nullableArray(readItem) ?? [];
  }

  nullableArray<T>(readItem: (reader: this) => T): T[] | null {
    const length = this.int32();
    if (length < 0) return null;
    if (length > this.remaining) throw new ProtocolError(`array length ${length} exceeds the request size`);
    const items = new Array<T>(length);
    for (let i = 0; i < length; i++) items[i] = readItem(this);
    return items;
  }

  private require(bytes: number): void {
    if (this.remaining < bytes) throw new ProtocolError('request is truncated');
  }
}
