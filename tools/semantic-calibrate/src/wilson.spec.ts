import { wilsonUpper } from './wilson';

describe(wilsonUpper.name, () => {
  it('is above the point estimate, and more so on few trials', () => {
    expect(wilsonUpper(0, 20)).toBeGreaterThan(0.1);
    expect(wilsonUpper(0, 2000)).toBeLessThan(0.002);
    expect(wilsonUpper(20, 1000)).toBeGreaterThan(0.02);
    expect(wilsonUpper(20, 1000)).toBeLessThan(0.03);
  });
  it('is 1 without trials', () => {
    expect(wilsonUpper(0, 0)).toBe(1);
  });
});
