/**
 * Times `fn` in a tight loop and prints its median ns/op (and op/s) over 7 rounds of `iterations` calls, after a
 * warm-up of a tenth of that for the JIT. `width`: the name column's width.
 */
export function measureNsPerOp(name: string, iterations: number, fn: (i: number) => unknown, width = 52): void {
  for (let i = 0; i < iterations / 10; i++) fn(i);
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[3] ?? 0;
  process.stdout.write(
    `${name.padEnd(width)} ${median.toFixed(0).padStart(7)} ns/op   ${(1e9 / median).toFixed(0).padStart(9)} op/s\n`,
  );
}
