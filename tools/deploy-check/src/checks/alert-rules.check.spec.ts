import { type K8sObject } from '../manifest';
import { checkAlertRules } from './alert-rules.check';

const rule = (alert: string, expr: string, labels: Record<string, string> = { severity: 'warning' }): K8sObject => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'strata', namespace: 'strata' },
  spec: { groups: [{ name: 'g', rules: [{ alert, expr, labels, annotations: { summary: 's' } }] }] },
});
const EXPORTED = new Set(['strata_dlq_messages_total', 'strata_invalidation_event_to_purge_seconds']);

describe(checkAlertRules.name, () => {
  const messages = (objects: K8sObject[]) => checkAlertRules(objects, EXPORTED).map((f) => f.message);

  it('accepts alerts on exported metrics (histogram series included) and on exporter metrics', () => {
    expect(
      messages([
        rule('A', 'sum by (topic) (increase(strata_dlq_messages_total{topic="strata.data-changes.v1"}[15m])) > 0'),
        rule(
          'B',
          'histogram_quantile(0.99, sum by (le) (rate(strata_invalidation_event_to_purge_seconds_bucket[5m]))) > 30',
        ),
        rule('C', 'redis_up < 1'),
      ]),
    ).toEqual([]);
  });

  it('refuses an alert on a metric Strata does not export', () => {
    expect(messages([rule('Lag', 'strata_consumer_lag > 10')])).toEqual([
      'Lag queries strata_consumer_lag, which libs/observability does not export',
    ]);
  });

  it('refuses an alert without a severity', () => {
    expect(messages([rule('A', 'redis_up < 1', {})])).toEqual(['A has no severity label (critical, warning or info)']);
  });
});
