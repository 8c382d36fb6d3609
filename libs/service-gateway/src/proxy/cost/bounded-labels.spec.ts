import { BoundedLabels } from './bounded-labels';

describe(BoundedLabels.name, () => {
  it('keeps the first distinct values and folds the rest into "other"', () => {
    const sut = new BoundedLabels(2);
    expect(['a', 'b', 'a', 'c', 'b'].map((v) => sut.label(v))).toEqual(['a', 'b', 'a', 'other', 'b']);
  });
});
