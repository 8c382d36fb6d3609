import { lowestSafeThreshold, pairMetrics, thresholdGrid } from './metrics';

describe(pairMetrics.name, () => {
  const scored = [
    { label: 1, score: 0.9 },
    { label: 1, score: 0.6 },
    { label: 0, score: 0.8 },
    { label: 0, score: 0.1 },
  ] as const;

  it('counts a score at the threshold as a hit', () => {
    expect(pairMetrics(scored, 0.8)).toMatchObject({ precision: 0.5, recall: 0.5, wrongHitRate: 0.5 });
  });

  it('reports precision 1 and recall 0 when nothing is a hit', () => {
    expect(pairMetrics(scored, 0.95)).toMatchObject({ precision: 1, recall: 0, f1: 0, wrongHitRate: 0 });
  });
});

describe(lowestSafeThreshold.name, () => {
  it('picks the lowest threshold that keeps every set under the wrong-hit limit', () => {
    const a = [
      { label: 0, score: 0.5 },
      { label: 1, score: 0.7 },
    ] as const;
    const b = [
      { label: 0, score: 0.65 },
      { label: 1, score: 0.9 },
    ] as const;
    expect(lowestSafeThreshold([a, b], thresholdGrid(0.4, 1, 0.05), 0)).toBe(0.7);
  });
});
