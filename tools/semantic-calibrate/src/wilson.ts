/**
 * Upper end of the Wilson score interval for a binomial proportion: with `failures` out of `trials`, the
 * true rate is below this with the given one-sided confidence (z = 1.645: 95%). Unlike the point estimate,
 * it stays honest on small counts (0 of 20 is not "0%").
 */
export function wilsonUpper(failures: number, trials: number, z = 1.645): number {
  if (trials === 0) return 1;
  const p = failures / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.min(1, (centre + spread) / (1 + z2 / trials));
}
