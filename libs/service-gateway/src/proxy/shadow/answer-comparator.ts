import { type JudgeAnswer, type JudgeUsage } from '@strata/cache-core';

/**
 * Asks a judge model whether two answers to the same request say the same (`same` undefined: no verdict), with the
 * tokens its endpoint reported.
 */
export interface AnswerJudge {
  same(first: string, second: string): Promise<JudgeAnswer>;
}

/** Told of each judge call a comparison made (answered or not) and the tokens it used, so it can be counted. */
export type JudgeCalled = (usage: JudgeUsage | undefined) => void;

/** Embeds texts (the gateway's embedding service, the same model the cache keys with). */
export type EmbedTexts = (texts: string[]) => Promise<readonly (readonly number[])[]>;

export type Comparison = 'equal' | 'judge' | 'embedding';
export interface AnswerAgreement {
  readonly agree: boolean;
  /** What decided: the normalised texts were equal, the judge, or the embeddings' cosine. */
  readonly by: Comparison;
}

/** Whitespace runs as one space, case folded, ends trimmed: formatting noise is not a different answer. */
export function normaliseAnswer(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length && i < b.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Whether a fresh upstream answer agrees with the cached one: the same text after whitespace and case normalisation
 * passes at once (free); otherwise the judge decides when one is configured (it reads meaning), else the two answers'
 * embeddings must have a cosine of at least `agreement`. Undefined: neither could decide (the audit is skipped).
 */
export class AnswerComparator {
  constructor(
    private readonly embed: EmbedTexts | undefined,
    private readonly judge: AnswerJudge | undefined,
    private readonly agreement: number,
  ) {}

  async compare(cached: string, fresh: string, judgeCalled?: JudgeCalled): Promise<AnswerAgreement | undefined> {
    if (normaliseAnswer(cached) === normaliseAnswer(fresh)) return { agree: true, by: 'equal' };
    if (this.judge) {
      const { same, usage } = await this.judge.same(cached, fresh);
      judgeCalled?.(usage);
      return same === undefined ? undefined : { agree: same, by: 'judge' };
    }
    if (!this.embed) return undefined;
    const [a, b] = await this.embed([cached, fresh]);
    if (!a || !b) return undefined;
    return { agree: cosine(a, b) >= this.agreement, by: 'embedding' };
  }
}
