import { type JudgeUsage } from './match-judge.port';

const OTHER_KEY = 'other\u0000other';

/** Judge calls and the tokens they used, for one tenant's namespace. */
export interface JudgeSpendRow {
  readonly tenant: string;
  readonly namespace: string;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * What the model judge cost, per tenant and namespace, in this process: calls (each one made, answered or not)
 * and the tokens the judge's endpoint reported. Beyond `maxKeys` pairs, new pairs are counted under
 * tenant and namespace `other` (the totals stay whole).
 */
export class JudgeSpend {
  private readonly rows = new Map<
    string,
    { tenant: string; namespace: string; calls: number; input: number; output: number }
  >();

  constructor(private readonly maxKeys = 10_000) {}

  /** One judge call made for the tenant's namespace (answered in time or not). */
  called(tenant: string, namespace: string): void {
    this.row(tenant, namespace).calls += 1;
  }

  /** The tokens a judge call used, once its endpoint reported them. */
  used(tenant: string, namespace: string, usage: JudgeUsage): void {
    const row = this.row(tenant, namespace);
    row.input += Math.max(0, usage.inputTokens);
    row.output += Math.max(0, usage.outputTokens);
  }

  private row(tenant: string, namespace: string): { calls: number; input: number; output: number } {
    const key = `${tenant}\u0000${namespace}`;
    let row = this.rows.get(key);
    if (row) return row;
    // Full: new pairs share one row (it may be the one past the limit).
    if (this.rows.size >= this.maxKeys && key !== OTHER_KEY) return this.row('other', 'other');
    row = { tenant, namespace, calls: 0, input: 0, output: 0 };
    this.rows.set(key, row);
    return row;
  }

  snapshot(): JudgeSpendRow[] {
    return [...this.rows.values()].map((r) => ({
      tenant: r.tenant,
      namespace: r.namespace,
      calls: r.calls,
      inputTokens: r.input,
      outputTokens: r.output,
    }));
  }
}
