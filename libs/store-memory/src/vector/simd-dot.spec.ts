import { dotKernel, dotRows, strideOf, vectorMemory, WASM_PAGE_BYTES } from './simd-dot';

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
});
