/** Leaf values of nested objects as `path  value` lines (`hits.l1  3`), aligned: readable whatever fields an answer grows. */
export function renderFields(value: unknown): string {
  const rows: [string, string][] = [];
  const walk = (node: unknown, path: string) => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) walk(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    rows.push([path, scalar(node)]);
  };
  walk(value, '');
  const width = Math.max(0, ...rows.map(([path]) => path.length));
  return rows.map(([path, text]) => `${path.padEnd(width)}  ${text}`).join('\n');
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/** `l1=1 l2=2 l3=1` from `{l1: 1, l2: 2, l3: 1}`. */
export function renderCounts(counts: unknown): string {
  if (counts === null || typeof counts !== 'object') return String(counts);
  return Object.entries(counts)
    .map(([tier, n]) => `${tier}=${scalar(n)}`)
    .join(' ');
}
