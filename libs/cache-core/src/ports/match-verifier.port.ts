export const MATCH_VERIFIER = Symbol('MatchVerifier');

export interface MatchVerdict {
  readonly accepted: boolean;
  /** 0..1: what the API reports as the hit's similarity; the threshold applies to it. */
  readonly similarity: number;
  readonly reason: string;
}

/** Decides whether a retrieved candidate answers the query (implemented by @strata/semantic). */
export interface MatchVerifier {
  verify(query: string, candidate: string, cosine: number, threshold: number): MatchVerdict;
}
