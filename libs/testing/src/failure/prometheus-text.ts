/**
 * The value of a counter or gauge in Prometheus text exposition: the sum over every series of `name`
 * whose labels include all of `labels` (0 when none does). For asserting on deltas of `/metrics`.
 */
export function metricValue(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let series: Record<string, string> = {};
    let value: string;
    if (rest.startsWith('{')) {
      const close = rest.lastIndexOf('}');
      series = parseLabels(rest.slice(1, close));
      value = rest.slice(close + 1).trim();
    } else if (rest.startsWith(' ')) {
      value = rest.trim();
    } else {
      continue; // another metric whose name starts with this one (e.g. `_bucket`)
    }
    if (Object.entries(labels).every(([key, expected]) => series[key] === expected)) sum += Number(value.split(' ')[0]);
  }
  return sum;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, key, value] of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    if (key !== undefined && value !== undefined) labels[key] = value.replace(/\\(.)/g, '$1');
  return labels;
}
