/**
 * Dot-product kernels in WebAssembly SIMD, over vectors kept in a `WebAssembly.Memory`: over int8 codes, the
 * distance of the HNSW graphs' build and walk; over float32 rows, their exact scores (the re-rank; about 3× cheaper
 * than the unrolled JavaScript loop at 100 dimensions, measured in docs/adr/0006-in-process-ann-index.md). The
 * modules are tiny and assembled here, so there is no binary file and no build step. The float kernel's text form:
 *
 * ```wat
 * (module
 *   (import "env" "memory" (memory 0))
 *   (func (export "dot") (param $a i32) (param $b i32) (param $bytes i32) (result f64)
 *     (local $i i32) (local $lo v128) (local $hi v128)
 *     (block (loop
 *       (br_if 1 (i32.ge_u (local.get $i) (local.get $bytes)))
 *       ;; lanes 0, 1 and 2, 3 of four float32s, widened to float64 before multiplying and adding
 *       (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul
 *         (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $a) (local.get $i))))
 *         (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $b) (local.get $i)))))))
 *       (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul
 *         (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $a) (local.get $i))))
 *         (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $b) (local.get $i)))))))
 *       (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *       (br 0)))
 *     (f64.add (f64.add (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo)))
 *       (f64x2.extract_lane 0 (local.get $hi))) (f64x2.extract_lane 1 (local.get $hi)))))
 * ```
 *
 * Products of two float32s are exact in float64 and the four partial sums are added in the same order as
 * `dotRows` below, so the kernel and the JavaScript loop return the same double, bit for bit: scores stay the exact
 * dot products the exact scan computes, whichever computed them.
 */

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libs declare none of it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Adds `pages` pages of 64 KiB; throws a RangeError past the engine's limit (4 GiB). */
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per page of WebAssembly memory, and the most pages a (32-bit) memory can have: 4 GiB. */
export const WASM_PAGE_BYTES = 65_536;
export const WASM_MAX_PAGES = 65_536;

/** An empty, growable memory for one graph's vectors. */
export function vectorMemory(): WasmMemory {
  return new wasm.Memory({ initial: 0 });
}

/** Floats per stored row: the dimension rounded up to whole 16-byte SIMD lanes (the padding stays zero). */
export function strideOf(dimension: number): number {
  return Math.ceil(dimension / 4) * 4;
}

/** `dot(aByteOffset, bByteOffset, byteLength)`: byteLength a multiple of 16, offsets 4-byte aligned. */
export type DotKernel = (a: number, b: number, bytes: number) => number;

let compiled: object | undefined;

/** A kernel bound to `memory` (one per graph: each graph's vectors live in a memory of their own). */
export function dotKernel(memory: WasmMemory): DotKernel {
  compiled ??= new wasm.Module(assemble('dot', [I32, I32, I32], F64, floatDotBody()));
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return instance.exports['dot'] as DotKernel;
}

/** Bytes of int8 codes per row: the dimension rounded up to whole 16-byte SIMD lanes (the padding stays zero). */
export function codeBytesOf(dimension: number): number {
  return Math.ceil(dimension / 16) * 16;
}

/**
 * Bytes per stored int8 row: the codes, then a 16-byte lane whose first 4 bytes are the row's scale (float32) and the
 * next 4 its L1 norm (float32, for `HnswGraph`'s re-rank bound), so a distance reads one contiguous row (128 bytes, two
 * cache lines, at 100 dimensions).
 */
export function codeStrideOf(dimension: number): number {
  return codeBytesOf(dimension) + 16;
}

/**
 * `dotCodes(aByteOffset, bByteOffset, codeBytes)`: the approximate dot product of two int8 rows, `scaleA * scaleB *
 * Σ codesA·codesB`, each scale the float32 right after its row's `codeBytes` (a multiple of 16) codes. The integer sum
 * is exact (int32, no rounding up to 130k dimensions), so with scales of 1 the kernel returns the exact integer dot.
 */
export type CodeDotKernel = (a: number, b: number, codeBytes: number) => number;

let compiledCodes: object | undefined;

/** The int8 kernel bound to `memory` (the graph's memory of int8 codes, a second one beside its float rows). */
export function codeDotKernel(memory: WasmMemory): CodeDotKernel {
  compiledCodes ??= new wasm.Module(assemble('dot', [I32, I32, I32], F64, codeDotBody()));
  const instance = new wasm.Instance(compiledCodes, { env: { memory } });
  return instance.exports['dot'] as CodeDotKernel;
}

/**
 * Scalar quantisation of one row, per vector: `codes[at + d] = round(row[d] / scale)` with `scale = max |row[d]| / 127`,
 * so every code is in -127..127 and `scaleA * scaleB * Σ codesA·codesB` approximates the float dot product (to about
 * `scale / 2` per dimension). Returns the scale (0 for a zero row, whose codes are all 0). A per-vector scale needs no
 * statistics of the data, so a graph can quantise each vector as it arrives.
 */
export function quantize(row: Float32Array, rowBase: number, dimension: number, codes: Int8Array, at: number): number {
  let max = 0;
  for (let d = 0; d < dimension; d++) max = Math.max(max, Math.abs(row[rowBase + d]));
  if (max === 0) {
    codes.fill(0, at, at + dimension);
    return 0;
  }
  const inverse = 127 / max;
  for (let d = 0; d < dimension; d++) codes[at + d] = Math.round(row[rowBase + d] * inverse);
  return max / 127;
}

/** The integer dot product of two int8 rows in JavaScript: what the int8 kernel computes. */
export function dotCodes(a: Int8Array, aBase: number, b: Int8Array, bBase: number, dimension: number): number {
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += a[aBase + d] * b[bBase + d];
  return sum;
}

/**
 * The same dot product in JavaScript (for callers whose query is not in the memory): four partial sums over lanes
 * d mod 4, added as ((s0 + s1) + s2) + s3, which is what the kernel computes.
 */
export function dotRows(a: Float32Array, aBase: number, b: Float32Array, bBase: number, dimension: number): number {
  const unrolled = dimension - (dimension % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d < unrolled; d += 4) {
    s0 += a[aBase + d] * b[bBase + d];
    s1 += a[aBase + d + 1] * b[bBase + d + 1];
    s2 += a[aBase + d + 2] * b[bBase + d + 2];
    s3 += a[aBase + d + 3] * b[bBase + d + 3];
  }
  if (d < dimension) s0 += a[aBase + d] * b[bBase + d];
  if (d + 1 < dimension) s1 += a[aBase + d + 1] * b[bBase + d + 1];
  if (d + 2 < dimension) s2 += a[aBase + d + 2] * b[bBase + d + 2];
  return s0 + s1 + s2 + s3;
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const SIMD = 0xfd;
/** SIMD opcodes (after the 0xfd prefix), LEB128-encoded. */
const V128_LOAD = [0x00];
const V128_LOAD64_ZERO = [0x5d];
const F64X2_PROMOTE_LOW_F32X4 = [0x5f];
const F64X2_EXTRACT_LANE = [0x21];
const F64X2_ADD = [0xf0, 0x01];
const F64X2_MUL = [0xf2, 0x01];
const I32X4_EXTRACT_LANE = [0x1b];
const I16X8_EXTEND_LOW_I8X16_S = [0x87, 0x01];
const I16X8_EXTEND_HIGH_I8X16_S = [0x88, 0x01];
const I32X4_ADD = [0xae, 0x01];
const I32X4_DOT_I16X8_S = [0xba, 0x01];
const I32_ADD = 0x6a;
const I32_GE_U = 0x4f;
const I32_CONST = 0x41;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const F32_LOAD = 0x2a;
const F64_CONVERT_I32_S = 0xb7;
const F64_PROMOTE_F32 = 0xbb;
/** Parameters of both kernels: (a, b, bytes); their first local is the loop counter `i`. */
const [A, B, BYTES, I] = [0, 1, 2, 3];
/** `block loop (br_if 1 (i >= bytes))`: the loop head of both kernels. */
const LOOP_HEAD = [0x02, 0x40, 0x03, 0x40, LOCAL_GET, I, LOCAL_GET, BYTES, I32_GE_U, 0x0d, 1];
/** `i += 16; br 0; end loop; end block`. */
const LOOP_TAIL = [LOCAL_GET, I, I32_CONST, 16, I32_ADD, LOCAL_SET, I, 0x0c, 0, 0x0b, 0x0b];

/** The float kernel: two f64x2 accumulators over float32 lanes widened to float64 (the text form above). */
function floatDotBody(): number[] {
  const [lo, hi] = [4, 5];
  /** Loads float32 lanes `offset/4` and the next from row `row` at `i`, widened to f64x2. */
  const widened = (row: number, offset: number): number[] => [
    LOCAL_GET,
    row,
    LOCAL_GET,
    I,
    I32_ADD,
    SIMD,
    ...V128_LOAD64_ZERO,
    3, // align 2^3
    offset,
    SIMD,
    ...F64X2_PROMOTE_LOW_F32X4,
  ];
  const accumulate = (into: number, offset: number): number[] => [
    LOCAL_GET,
    into,
    ...widened(A, offset),
    ...widened(B, offset),
    SIMD,
    ...F64X2_MUL,
    SIMD,
    ...F64X2_ADD,
    LOCAL_SET,
    into,
  ];
  const lane = (from: number, index: number): number[] => [LOCAL_GET, from, SIMD, ...F64X2_EXTRACT_LANE, index];
  return [
    ...[2, 1, I32, 2, V128], // locals: one i32, two v128
    ...LOOP_HEAD,
    ...accumulate(lo, 0),
    ...accumulate(hi, 8),
    ...LOOP_TAIL,
    ...lane(lo, 0),
    ...lane(lo, 1),
    F64_ADD,
    ...lane(hi, 0),
    F64_ADD,
    ...lane(hi, 1),
    F64_ADD,
    0x0b,
  ];
}

/**
 * The int8 kernel: per 16 bytes, both rows' int8 lanes are sign-extended to two i16x8 halves and multiplied pairwise
 * into an i32x4 accumulator (`i32x4.dot_i16x8_s`); the four lanes are added at the end and the sum is scaled by both
 * rows' scales. In text form: `(local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s
 * (i16x8.extend_low_i8x16_s (v128.load a+i)) (i16x8.extend_low_i8x16_s (v128.load b+i)))))`, the same for the high
 * halves; then `(f64.mul (f64.mul (f64.convert_i32_s sum) (f64.promote_f32 (f32.load a+bytes)))
 * (f64.promote_f32 (f32.load b+bytes)))`.
 */
function codeDotBody(): number[] {
  const [acc, va, vb] = [4, 5, 6];
  const load = (row: number, into: number): number[] => [
    LOCAL_GET,
    row,
    LOCAL_GET,
    I,
    I32_ADD,
    SIMD,
    ...V128_LOAD,
    0, // align 2^0: rows are 16-byte aligned, but no alignment is promised
    0,
    LOCAL_SET,
    into,
  ];
  const half = (extend: number[]): number[] => [
    LOCAL_GET,
    acc,
    LOCAL_GET,
    va,
    SIMD,
    ...extend,
    LOCAL_GET,
    vb,
    SIMD,
    ...extend,
    SIMD,
    ...I32X4_DOT_I16X8_S,
    SIMD,
    ...I32X4_ADD,
    LOCAL_SET,
    acc,
  ];
  const lane = (index: number): number[] => [LOCAL_GET, acc, SIMD, ...I32X4_EXTRACT_LANE, index];
  const scale = (row: number): number[] => [LOCAL_GET, row, LOCAL_GET, BYTES, I32_ADD, F32_LOAD, 2, 0, F64_PROMOTE_F32];
  return [
    ...[2, 1, I32, 3, V128], // locals: one i32, three v128
    ...LOOP_HEAD,
    ...load(A, va),
    ...load(B, vb),
    ...half(I16X8_EXTEND_LOW_I8X16_S),
    ...half(I16X8_EXTEND_HIGH_I8X16_S),
    ...LOOP_TAIL,
    ...lane(0),
    ...lane(1),
    I32_ADD,
    ...lane(2),
    I32_ADD,
    ...lane(3),
    I32_ADD,
    F64_CONVERT_I32_S,
    ...scale(A),
    F64_MUL,
    ...scale(B),
    F64_MUL,
    0x0b,
  ];
}

/** A module importing `env.memory` and exporting one function `name` of (params) -> result. */
function assemble(name: string, params: number[], result: number, body: number[]): Uint8Array {
  const text = (value: string): number[] => [value.length, ...Array.from(value, (c) => c.charCodeAt(0))];
  const section = (id: number, content: number[]): number[] => [id, ...leb128(content.length), ...content];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, params.length, ...params, 1, result]), // type: (params) -> result
    ...section(2, [1, ...text('env'), ...text('memory'), 0x02, 0x00, 0x00]), // import memory, min 0 pages
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...text(name), 0x00, 0]), // export it
    ...section(10, [1, ...leb128(body.length), ...body]),
  ]);
}

function leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
