export const MATCH_JUDGE = Symbol('MatchJudge');

/** The two requests a judge compares: the one asked now and the one whose answer is cached. */
export interface JudgeQuestion {
  readonly query: string;
  readonly candidate: string;
}

/** The tokens one judge call used, as the judge's endpoint reported them (`usage` of the chat completion). */
export interface JudgeUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * A judge's answer: `same` is the verdict, `undefined` when there is none (the call failed, was late or
 * answered something else; the caller then behaves as if there were no judge). `usage` when the endpoint reported it.
 */
export interface JudgeAnswer {
  readonly same: boolean | undefined;
  readonly usage?: JudgeUsage | undefined;
}

/**
 * A model that decides whether two requests need the same answer (an OpenAI-compatible chat endpoint in
 * production, a label-knowing fake in the benchmark).
 */
export interface MatchJudge {
  judge(question: JudgeQuestion, signal: AbortSignal): Promise<JudgeAnswer>;
}
