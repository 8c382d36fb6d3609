/** One training example: features, label, and how much it counts. */
export interface Example {
  readonly x: readonly number[];
  readonly y: 0 | 1;
  readonly weight: number;
}

/**
 * Weighted L2-regularised logistic regression by Newton's method (a handful of features: the Hessian is
 * tiny). Returns [intercept, ...weights].
 */
export function fitLogistic(examples: readonly Example[], l2 = 1e-3, iterations = 25): number[] {
  const k = (examples[0]?.x.length ?? 0) + 1;
  const beta = new Array<number>(k).fill(0);
  const row = new Array<number>(k);
  for (let iter = 0; iter < iterations; iter++) {
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    let totalWeight = 0;
    for (const { x, y, weight } of examples) {
      row[0] = 1;
      for (let i = 1; i < k; i++) row[i] = x[i - 1];
      let z = 0;
      for (let i = 0; i < k; i++) z += beta[i] * row[i];
      const p = 1 / (1 + Math.exp(-z));
      const curvature = weight * Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < k; i++) {
        gradient[i] += weight * (p - y) * row[i];
        for (let j = 0; j < k; j++) hessian[i][j] += curvature * row[i] * row[j];
      }
      totalWeight += weight;
    }
    for (let i = 1; i < k; i++) {
      gradient[i] += l2 * totalWeight * beta[i];
      hessian[i][i] += l2 * totalWeight;
    }
    const step = solve(hessian, gradient);
    let change = 0;
    for (let i = 0; i < k; i++) {
      beta[i] -= step[i];
      change = Math.max(change, Math.abs(step[i]));
    }
    if (change < 1e-8) break;
  }
  return beta;
}

/**
 * {@link fitLogistic} with sign constraints: `signs[i]` = +1 (evidence for a match), -1 (against) or 0
 * (free). A feature whose fitted weight has the wrong sign is dropped (weight 0) and the rest refitted, so
 * the model never rewards evidence against a match because of correlations in the training data.
 */
export function fitSignConstrained(examples: readonly Example[], signs: readonly number[], l2 = 1e-3): number[] {
  const active = signs.map(() => true);
  for (;;) {
    const columns = active.flatMap((on, i) => (on ? [i] : []));
    const beta = fitLogistic(
      examples.map((e) => ({ ...e, x: columns.map((i) => e.x[i]) })),
      l2,
    );
    const weights = signs.map(() => 0);
    columns.forEach((i, c) => (weights[i] = beta[c + 1]));
    const wrong = weights.findIndex((w, i) => signs[i] * w < 0);
    if (wrong < 0) return [beta[0], ...weights];
    active[wrong] = false;
  }
}

/** Gaussian elimination with partial pivoting: solves A·x = b. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const diag = m[col][col] === 0 ? 1e-12 : m[col][col];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r][col] / diag;
      for (let c = col; c <= n; c++) m[r][c] -= factor * m[col][c];
    }
  }
  return m.map((r, i) => r[n] / (r[i] === 0 ? 1e-12 : r[i]));
}
