import { checkDashboard, dashboardMetrics, parseExportedMetrics } from './dashboard.check';

const dashboard = (expr: string) =>
  JSON.stringify({
    panels: [
      { type: 'row', panels: [] },
      { title: 'Latency', targets: [{ expr }] },
    ],
  });

describe(checkDashboard.name, () => {
  const exported = new Set(['strata_cache_lookup_duration_seconds']);

  it('accepts queries of exported metrics, histogram series included', () => {
    const result = checkDashboard(
      'd.json',
      dashboard('histogram_quantile(0.99, rate(strata_cache_lookup_duration_seconds_bucket[5m]))'),
      exported,
    );
    expect(result).toEqual({ errors: [], warnings: [] });
  });

  it('warns about a metric that is not exported', () => {
    const result = checkDashboard('d.json', dashboard('sum(rate(strata_tokens_saved_total[5m]))'), exported);
    expect(result.warnings.map((f) => f.message)).toEqual([
      'strata_tokens_saved_total (panels: Latency) is not exported by libs/observability yet',
    ]);
  });

  it('refuses invalid JSON and a dashboard without strata queries', () => {
    expect(checkDashboard('d.json', '{', exported).errors).toHaveLength(1);
    expect(checkDashboard('d.json', dashboard('up'), exported).errors.map((f) => f.message)).toEqual([
      'has no panel querying a strata_* metric',
    ]);
  });

  it('collects metric names across nested panels', () => {
    expect([...dashboardMetrics(JSON.parse(dashboard('a(strata_x_count) + strata_y')) as unknown).keys()]).toEqual([
      'strata_x',
      'strata_y',
    ]);
    expect(parseExportedMetrics("new Counter({ name: 'strata_cache_lookups_total' })")).toEqual(
      new Set(['strata_cache_lookups_total']),
    );
  });
});
