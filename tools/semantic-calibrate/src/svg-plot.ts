import { type ThresholdRow } from './calibrate';

/** A hand-rendered SVG of precision, recall and wrong-hit rate against the threshold, with the presets marked. */
export function renderPlot(
  rows: readonly ThresholdRow[],
  thresholds: Readonly<Record<string, number>>,
  title: string,
): string {
  const width = 640;
  const height = 360;
  const left = 50;
  const top = 30;
  const w = width - left - 20;
  const h = height - top - 40;
  const x0 = rows[0]?.threshold ?? 0;
  const x1 = rows[rows.length - 1]?.threshold ?? 1;
  const px = (t: number): number => left + ((t - x0) / Math.max(1e-9, x1 - x0)) * w;
  const py = (v: number): number => top + (1 - v) * h;
  const line = (pick: (r: ThresholdRow) => number, colour: string): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${rows.map((r) => `${px(r.threshold).toFixed(1)},${py(pick(r)).toFixed(1)}`).join(' ')}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<text x="${left - 8}" y="${py(v) + 4}" text-anchor="end">${v}</text><line x1="${left}" x2="${left + w}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`,
    )
    .join('');
  const xTicks = [x0, (x0 + x1) / 2, x1]
    .map((t) => `<text x="${px(t)}" y="${top + h + 18}" text-anchor="middle">${t.toFixed(2)}</text>`)
    .join('');
  const presets = Object.entries(thresholds)
    .map(
      ([name, t]) =>
        `<line x1="${px(t)}" x2="${px(t)}" y1="${top}" y2="${top + h}" stroke="#888" stroke-dasharray="4 3"/><text x="${px(t) + 3}" y="${top + 12}">${name}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="13">${escape(title)}</text>`,
    ticks,
    xTicks,
    `<text x="${left + w / 2}" y="${height - 6}" text-anchor="middle">threshold (held-out half)</text>`,
    line((r) => r.precision, '#1f77b4'),
    line((r) => r.recall, '#2ca02c'),
    line((r) => r.wrongHitRate, '#d62728'),
    presets,
    `<text x="${left + w - 150}" y="${top + h - 40}" fill="#1f77b4">precision</text>`,
    `<text x="${left + w - 150}" y="${top + h - 26}" fill="#2ca02c">recall</text>`,
    `<text x="${left + w - 150}" y="${top + h - 12}" fill="#d62728">wrong-hit rate</text>`,
    '</svg>',
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
