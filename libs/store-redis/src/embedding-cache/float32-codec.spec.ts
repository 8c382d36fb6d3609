import { decodeFloat32, encodeFloat32 } from './float32-codec';

describe('float32 codec', () => {
  it('round-trips a vector to its Float32 values', () => {
    const vector = [0.1, -1e-3, 123.456, 0];
    expect(decodeFloat32(encodeFloat32(vector))).toEqual(Array.from(Float32Array.from(vector)));
  });

  it('uses 4 little-endian bytes a dimension', () => {
    expect(encodeFloat32([1])).toEqual(Buffer.from([0x00, 0x00, 0x80, 0x3f]));
  });

  it('decodes bytes at any offset of a shared buffer', () => {
    const shared = Buffer.concat([Buffer.from([9]), encodeFloat32([0.5, 2])]);
    expect(decodeFloat32(shared.subarray(1))).toEqual([0.5, 2]);
  });

  it('rejects empty input and lengths that are not whole floats', () => {
    expect(decodeFloat32(Buffer.alloc(0))).toBeUndefined();
    expect(decodeFloat32(Buffer.alloc(6))).toBeUndefined();
  });
});
