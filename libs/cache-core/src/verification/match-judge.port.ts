export const MATCH_JUDGE = Symbol('MatchJudge');

/** The two requests a judge compares: the one asked now and the one whose answer is cached. */
export interface JudgeQuestion {
  readonly query: string;
  readonly candidate: string;
}

/**
 * A model that decides whether two requests need the same answer (an OpenAI-compatible chat endpoint in
 * production, a label-knowing fake in the benchmark). `undefined` is no verdict: it failed, was late or
 * answered something else; the caller then behaves as if there were no judge.
 */
export interface MatchJudge {
  judge(question: JudgeQuestion, signal: AbortSignal): Promise<boolean | undefined>;
}
