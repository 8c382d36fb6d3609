import { vectorToArray } from './vector-array';

describe(vectorToArray.name, () => {
  it('copies every component into a plain array, in order', () => {
    const vector = Float32Array.from([0.5, -1.25, 3]);
    const copy = vectorToArray(vector);
    expect(Array.isArray(copy)).toBe(true);
    expect(copy).toEqual([0.5, -1.25, 3]);
    copy[0] = 9;
    expect(vector[0]).toBe(0.5);
  });

  it('gives an empty array for an empty vector', () => {
    expect(vectorToArray(new Float32Array(0))).toEqual([]);
  });
});
