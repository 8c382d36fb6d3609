export const MATCH_VERIFIER = Symbol('MatchVerifier');

export interface MatchVerdict {
  readonly accepted: boolean;
  /** 0..1: what the API reports as the hit's similarity; the threshold applies to it. */
  readonly similarity: number;
  readonly reason: string;
}

/** A verdict with its evidence, for `"explain": true` lookups. */
export interface MatchExplanation extends MatchVerdict {
  /** What a veto found ("before/after", "km/mi"). */
  readonly detail?: string;
  /** The numbers the similarity was computed from (absent when a veto decided). */
  readonly features?: Readonly<Record<string, number>>;
}

/** Decides whether a retrieved candidate answers the query (implemented by @strata/semantic). */
export interface MatchVerifier {
  verify(query: string, candidate: string, cosine: number, threshold: number): MatchVerdict;
  explain?(query: string, candidate: string, cosine: number, threshold: number): MatchExplanation;
}
