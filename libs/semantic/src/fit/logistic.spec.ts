import { fitLogistic, fitSignConstrained } from './logistic';

/** Deterministic pseudo-random number in [0, 1). */
const noise = (i: number, seed: number): number => {
  const x = Math.sin(i * seed) * 43758.5453;
  return x - Math.floor(x);
};

describe(fitLogistic.name, () => {
  it('separates two classes along the feature that tells them apart', () => {
    const examples = Array.from({ length: 200 }, (_, i) => {
      const y = (i % 2) as 0 | 1;
      return { x: [y + 2 * noise(i, 12.9898) - 1, noise(i, 78.233)], y, weight: 1 };
    });
    const [, informative, uninformative] = fitLogistic(examples);
    expect(informative).toBeGreaterThan(1);
    expect(Math.abs(uninformative)).toBeLessThan(Math.abs(informative) / 4);
  });
});

describe(fitSignConstrained.name, () => {
  it('drops a feature whose weight comes out on the wrong side of zero', () => {
    const examples = Array.from({ length: 200 }, (_, i) => {
      const y = (i % 2) as 0 | 1;
      return { x: [y + ((i * 7) % 10) / 20, y], y, weight: 1 };
    });
    const [, first, second] = fitSignConstrained(examples, [1, -1]);
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(0);
  });
});
