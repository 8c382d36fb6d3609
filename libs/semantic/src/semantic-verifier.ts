import {
  LOCAL_EMBEDDING_MODEL,
  SentenceEncoder,
  loadWordVectors,
  type WordVectors,
  type WordVectorsOptions,
} from '@strata/embedding';
import { CALIBRATION, type MatchFeatures, calibratedSimilarity } from './calibration';
import { type MatchReason, type MatchVerdict } from './match-verdict';
import { analyzeText, type TextAnalysis } from './text-analysis';
import { alignWords } from './word-alignment';

export interface SemanticVerifierOptions extends WordVectorsOptions {
  /**
   * Embedding model whose cosine `verify()` receives (config `embedding.model`). The similarity is
   * calibrated on the local model's cosine; for any other model the verifier computes the local cosine
   * itself, so the threshold keeps its meaning whichever provider retrieved the candidates.
   */
  readonly embeddingModel?: string;
}

/** What `explain()` returns: the verdict and the evidence behind it. */
export interface MatchExplanation extends MatchVerdict {
  /** Undefined when a guard rejected before the word-level check ran. */
  readonly features: MatchFeatures | undefined;
}

const verifiers = new Map<string, Promise<SemanticVerifier>>();

/**
 * Decides whether a candidate retrieved by vector search answers the query. Precision first: a cheap
 * guard rejects questions that differ in numbers, negation or quoted literals; then the content words of
 * both questions are aligned (exact/stem matches, near-synonyms by word vector, weighted by rarity) and
 * checked for swapped roles and order; the evidence and the cosine combine into one calibrated similarity
 * (a logistic model fitted on labelled paraphrase pairs: docs/semantic-quality.md).
 */
export class SemanticVerifier {
  private readonly encoder: SentenceEncoder | undefined;

  private constructor(
    private readonly vectors: WordVectors,
    embeddingModel: string,
  ) {
    this.encoder = embeddingModel === LOCAL_EMBEDDING_MODEL ? undefined : new SentenceEncoder(vectors);
  }

  /** Loads the word vectors once per process and options (shared with the local embedding provider). */
  static load(options: SemanticVerifierOptions = {}): Promise<SemanticVerifier> {
    const embeddingModel = options.embeddingModel ?? LOCAL_EMBEDDING_MODEL;
    const key = JSON.stringify([options.sourcePath, options.cacheDir, options.maxWords, embeddingModel]);
    let verifier = verifiers.get(key);
    if (verifier === undefined) {
      verifier = loadWordVectors(options).then((vectors) => new SemanticVerifier(vectors, embeddingModel));
      verifier.catch(() => verifiers.delete(key));
      verifiers.set(key, verifier);
    }
    return verifier;
  }

  /**
   * @param cosine similarity of the two texts' embeddings, as the vector index scored the candidate.
   * @param threshold minimum similarity (0..1) for a hit.
   */
  verify(query: string, candidate: string, cosine: number, threshold: number): MatchVerdict {
    const { accepted, similarity, reason } = this.explain(query, candidate, cosine, threshold);
    return { accepted, similarity, reason };
  }

  /** `verify()` with the word-level features it decided on (evaluation, debugging). */
  explain(query: string, candidate: string, cosine: number, threshold: number): MatchExplanation {
    if (query.trim() === '' || candidate.trim() === '') return rejected('empty', undefined);
    const a = analyzeText(query, this.vectors);
    const b = analyzeText(candidate, this.vectors);
    const guard = guardReason(a, b);
    if (guard !== undefined) return rejected(guard, undefined);

    const localCosine =
      this.encoder === undefined ? cosine : dot(this.encoder.encode(query), this.encoder.encode(candidate));
    const features: MatchFeatures = { cosine: clampCosine(localCosine), ...alignWords(a, b, this.vectors) };
    const similarity = calibratedSimilarity(features);
    if (similarity >= threshold) return { accepted: true, similarity, reason: 'match', features };
    return { accepted: false, similarity, reason: rejectionReason(features), features };
  }
}

function guardReason(a: TextAnalysis, b: TextAnalysis): MatchReason | undefined {
  if (a.numbers !== b.numbers) return 'number-mismatch';
  if (a.negations !== b.negations) return 'negation-mismatch';
  if (!a.literals.every((l) => b.compact.includes(l)) || !b.literals.every((l) => a.compact.includes(l))) {
    return 'literal-mismatch';
  }
  return undefined;
}

/** Names the evidence that cost the most similarity (diagnostics only; the similarity decides). */
function rejectionReason(features: MatchFeatures): MatchReason {
  const w = CALIBRATION.weights;
  const order = -(w.roleMismatch * features.roleMismatch + w.reordered * features.reordered);
  const content =
    w.exactCoverage * (1 - features.exactCoverage) +
    w.softCoverage * (1 - features.softCoverage) -
    w.unmatched * features.unmatched -
    w.substituted * features.substituted;
  const cosine = w.cosine * (1 - features.cosine);
  if (order >= content && order >= cosine) return 'order-mismatch';
  if (content >= cosine) return 'content-mismatch';
  return 'below-threshold';
}

function rejected(reason: MatchReason, features: MatchFeatures | undefined): MatchExplanation {
  return { accepted: false, similarity: 0, reason, features };
}

function clampCosine(cosine: number): number {
  return Number.isFinite(cosine) ? Math.min(1, Math.max(-1, cosine)) : 0;
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}
