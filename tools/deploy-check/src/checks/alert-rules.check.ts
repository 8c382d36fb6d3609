import { type IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { type K8sObject, objectRef } from '../manifest';
import { type Finding, finding } from './finding';

const CHECK = 'alert-rules';
const SEVERITIES = new Set(['critical', 'warning', 'info']);

/**
 * The PrometheusRules can fire: every `strata_*` metric an alert queries is one libs/observability exports
 * (an alert on a misspelt or removed metric is silent forever), and every alert has a severity and a
 * summary for whoever is paged.
 */
export function checkAlertRules(objects: readonly K8sObject[], exported: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const object of objects.filter((o) => o.kind === 'PrometheusRule')) {
    const subject = objectRef(object);
    for (const group of (object as unknown as IPrometheusRule).spec.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (!rule.alert) continue;
        const expr = String(rule.expr);
        for (const match of expr.matchAll(/\bstrata_[a-z0-9_]+/g)) {
          const name = match[0].replace(/_(bucket|sum|count)$/, '');
          if (!exported.has(name))
            out.push(
              finding(CHECK, subject, `${rule.alert} queries ${match[0]}, which libs/observability does not export`),
            );
        }
        if (!SEVERITIES.has(rule.labels?.severity ?? ''))
          out.push(finding(CHECK, subject, `${rule.alert} has no severity label (critical, warning or info)`));
        if (!rule.annotations?.summary) out.push(finding(CHECK, subject, `${rule.alert} has no summary annotation`));
      }
    }
  }
  return out;
}
