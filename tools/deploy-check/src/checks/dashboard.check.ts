import { isRecord } from '../manifest';
import { type Finding, finding } from './finding';

const CHECK = 'dashboard';

function* targetsOf(panels: unknown): Generator<{ panel: string; expr: string }> {
  if (!Array.isArray(panels)) return;
  for (const panel of panels) {
    if (!isRecord(panel)) continue;
    const title = typeof panel.title === 'string' ? panel.title : '?';
    for (const target of Array.isArray(panel.targets) ? panel.targets : []) {
      if (isRecord(target) && typeof target.expr === 'string') yield { panel: title, expr: target.expr };
    }
    yield* targetsOf(panel.panels);
  }
}

/** `strata_*` metric names used by the queries, with histogram suffixes (_bucket, _sum, _count) removed. */
export function dashboardMetrics(dashboard: unknown): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const panels = isRecord(dashboard) ? dashboard.panels : undefined;
  for (const { panel, expr } of targetsOf(panels)) {
    for (const match of expr.matchAll(/\bstrata_[a-z0-9_]+/g)) {
      const name = match[0].replace(/_(bucket|sum|count)$/, '');
      used.set(name, [...(used.get(name) ?? []), panel]);
    }
  }
  return used;
}

/**
 * The Grafana dashboard is valid JSON with panels and queries, and queries only metrics that Strata
 * exports (names declared in libs/observability/src). A metric not (yet) exported is a warning.
 */
export function checkDashboard(
  subject: string,
  text: string,
  exported: ReadonlySet<string>,
): { errors: Finding[]; warnings: Finding[] } {
  let dashboard: unknown;
  try {
    dashboard = JSON.parse(text);
  } catch (err) {
    return { errors: [finding(CHECK, subject, `is not valid JSON: ${(err as Error).message}`)], warnings: [] };
  }
  const used = dashboardMetrics(dashboard);
  if (used.size === 0)
    return { errors: [finding(CHECK, subject, 'has no panel querying a strata_* metric')], warnings: [] };
  const warnings = [...used]
    .filter(([name]) => !exported.has(name))
    .map(([name, panels]) =>
      finding(
        CHECK,
        subject,
        `${name} (panels: ${[...new Set(panels)].join('; ')}) is not exported by libs/observability yet`,
      ),
    );
  return { errors: [], warnings };
}

/** Metric names declared in source: `name: 'strata_…'`. */
export function parseExportedMetrics(source: string): Set<string> {
  return new Set([...source.matchAll(/name:\s*['"`](strata_[a-z0-9_]+)['"`]/g)].map((m) => m[1]));
}
