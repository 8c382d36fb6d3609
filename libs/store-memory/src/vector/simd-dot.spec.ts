import {
  codeBytesOf,
  codeDotKernel,
  codeStrideOf,
  dotCodes,
  dotKernel,
  dotRows,
  quantize,
  strideOf,
  vectorMemory,
  WASM_PAGE_BYTES,
} from './simd-dot';

describe('simd-dot', () => {
  /** Rows of `dimension` random floats at a stride of `strideOf(dimension)`, in a fresh wasm memory. */
  function rows(
    dimension: number,
    count: number,
    seed: number,
  ): { floats: Float32Array; dot: ReturnType<typeof dotKernel> } {
    const memory = vectorMemory();
    memory.grow(Math.ceil((count * strideOf(dimension) * 4) / WASM_PAGE_BYTES));
    const floats = new Float32Array(memory.buffer);
    let state = seed;
    for (let row = 0; row < count; row++) {
      for (let d = 0; d < dimension; d++) {
        state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
        floats[row * strideOf(dimension) + d] = state / 2 ** 31 - 1;
      }
    }
    return { floats, dot: dotKernel(memory) };
  }

  it.each([1, 3, 4, 5, 100, 101, 384, 1536])(
    'computes the same double as the JavaScript dot product, bit for bit, at %i dimensions',
    (dimension) => {
      const stride = strideOf(dimension);
      const { floats, dot } = rows(dimension, 20, dimension);
      for (let a = 0; a < 20; a++) {
        for (let b = 0; b < 20; b++) {
          const expected = dotRows(floats, a * stride, floats, b * stride, dimension);
          expect(dot(a * stride * 4, b * stride * 4, stride * 4)).toBe(expected);
        }
      }
    },
  );

  it('pads rows to whole SIMD lanes of 4 floats', () => {
    expect([1, 4, 5, 100, 101, 1536].map(strideOf)).toEqual([4, 4, 8, 100, 104, 1536]);
  });

  it('reads the memory as it grows, through one kernel', () => {
    const memory = vectorMemory();
    const dot = dotKernel(memory);
    memory.grow(1);
    new Float32Array(memory.buffer).fill(0.5, 0, 8);
    expect(dot(0, 16, 16)).toBe(1);
    memory.grow(1);
    new Float32Array(memory.buffer).fill(2, WASM_PAGE_BYTES / 4, WASM_PAGE_BYTES / 4 + 4);
    expect(dot(0, WASM_PAGE_BYTES, 16)).toBe(4);
  });

  it.each([1, 15, 16, 17, 100, 384, 1536])(
    "computes the exact integer dot product of int8 rows in SIMD, times both rows' scales, at %i dimensions",
    (dimension) => {
      const stride = codeStrideOf(dimension);
      const bytes = codeBytesOf(dimension);
      const memory = vectorMemory();
      memory.grow(Math.ceil((20 * stride) / WASM_PAGE_BYTES));
      const codes = new Int8Array(memory.buffer);
      const scales = new Float32Array(memory.buffer);
      let state = dimension;
      for (let row = 0; row < 20; row++) {
        scales[(row * stride + bytes) / 4] = row === 19 ? 0.5 : 1;
        for (let d = 0; d < dimension; d++) {
          state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
          codes[row * stride + d] = (state >>> 24) - 128 || -127;
        }
      }
      // The extremes too: -127 and 127 in every lane.
      codes.fill(-127, 0, dimension);
      codes.fill(127, stride, stride + dimension);
      const dot = codeDotKernel(memory);
      for (let a = 0; a < 20; a++) {
        for (let b = 0; b < 20; b++) {
          const scale = (a === 19 ? 0.5 : 1) * (b === 19 ? 0.5 : 1);
          expect(dot(a * stride, b * stride, bytes)).toBe(
            scale * dotCodes(codes, a * stride, codes, b * stride, dimension),
          );
        }
      }
    },
  );

  it('pads int8 rows to whole SIMD lanes of 16 bytes, then one lane for the scale', () => {
    expect([1, 16, 17, 100, 1536].map(codeBytesOf)).toEqual([16, 16, 32, 112, 1536]);
    expect([1, 16, 17, 100, 1536].map(codeStrideOf)).toEqual([32, 32, 48, 128, 1552]);
  });

  it('quantises a row to int8 codes whose scaled dot products are within 1% of the float ones', () => {
    const dimension = 100;
    const rows = Array.from({ length: 10 }, (_, row) => {
      const vector = Float32Array.from({ length: dimension }, (_, d) => Math.sin(row * 7.1 + d * 1.3) * (1 + (d % 5)));
      const norm = Math.hypot(...vector);
      return vector.map((x) => x / norm);
    });
    const codes = new Int8Array(rows.length * dimension);
    const scales = rows.map((row, i) => quantize(row, 0, dimension, codes, i * dimension));
    expect(Math.max(...codes.map(Math.abs))).toBe(127);
    for (let a = 0; a < rows.length; a++) {
      for (let b = 0; b < rows.length; b++) {
        const approximate = scales[a] * scales[b] * dotCodes(codes, a * dimension, codes, b * dimension, dimension);
        expect(Math.abs(approximate - dotRows(rows[a], 0, rows[b], 0, dimension))).toBeLessThan(0.01);
      }
    }
  });

  it('quantises a zero row to zero codes and a zero scale', () => {
    const codes = new Int8Array(8).fill(5);
    expect(quantize(new Float32Array(8), 0, 8, codes, 0)).toBe(0);
    expect([...codes]).toEqual(new Array(8).fill(0));
  });
});
