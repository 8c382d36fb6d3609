/**
 * Types for the parts of kafkajs' (2.2.4) internal protocol code that the test broker reuses: the primitive
 * encoder/decoder, CRC-32C and the record batch decoder. kafkajs ships no types for `kafkajs/src/**`.
 */

declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    constructor(initialSize?: number);
    /** A view (no copy) of the bytes written so far. */
    readonly buffer: Buffer;
    writeInt8(value: number): this;
    writeInt16(value: number): this;
    writeInt32(value: number): this;
    writeUInt32(value: number): this;
    writeInt64(value: number | bigint | string): this;
    writeBoolean(value: boolean): this;
    writeString(value: string | null): this;
    writeBytes(value: Buffer | string | null): this;
    writeBuffer(value: Buffer): this;
    writeEncoder(value: Encoder): this;
    size(): number;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/decoder' {
  class Decoder {
    constructor(buffer: Buffer);
    buffer: Buffer;
    offset: number;
    readInt8(): number;
    readInt16(): number;
    readInt32(): number;
    readInt64(): bigint;
    readBoolean(): boolean;
    readString(): string | null;
    readBytes(byteLength?: number): Buffer | null;
    canReadBytes(length: number): boolean;
    canReadInt32(): boolean;
    slice(size: number): Decoder;
    forward(size: number): void;
  }
  export = Decoder;
}

declare module 'kafkajs/src/protocol/recordBatch/crc32C' {
  /** Unsigned CRC-32C (Castagnoli) of the buffer, as used by record batch v2. */
  function crc32C(buffer: Buffer): number;
  export = crc32C;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder' {
  import type Decoder from 'kafkajs/src/protocol/decoder';

  interface DecodedRecord {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
  }
  interface DecodedRecordBatch {
    firstOffset: string;
    maxTimestamp: string;
    records: DecodedRecord[];
  }
  /** Decodes one record batch (magic 2) starting at the decoder's offset, decompressing if needed. */
  function decodeRecordBatch(decoder: Decoder): Promise<DecodedRecordBatch>;
  export = decodeRecordBatch;
}
