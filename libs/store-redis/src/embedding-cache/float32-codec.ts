/** A vector as little-endian Float32 bytes: 4 bytes a dimension, a quarter of its JSON. */
export function encodeFloat32(vector: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes;
}

/** The vector in `bytes`, or undefined when they cannot be one (empty, or not a whole number of floats). */
export function decodeFloat32(bytes: Buffer): number[] | undefined {
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  const vector = new Array<number>(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
