import { LOCAL_EMBEDDING_MODEL, SentenceEncoder, type WordVectors } from '@strata/embedding';
import {
  CALIBRATION,
  type Calibration,
  DEFAULT_SIMILARITY_THRESHOLD,
  type MatchFeatures,
  calibratedSimilarity,
} from './calibration';
import { DETERMINERS, FUNCTION_WORDS } from './lexicon';
import { type MatchReason, type MatchVerdict } from './match-verdict';
import { type ModelCalibration } from './model-calibration';
import { DIRECTION_GROUPS } from './near-miss.lexicon';
import { stem } from './stem';
import { analyzeText, type TextAnalysis } from './text-analysis';
import { type Lexicon, alignWords } from './word-alignment';

/**
 * Texts longer than this many tokens (long prompts, pasted documents) hit only when their words are the
 * same in the same order apart from function words: one changed name in 2 000 words barely moves any
 * average, so no similarity can be trusted there.
 */
export const LONG_PROMPT_TOKENS = 64;
const IGNORED_IN_LONG_PROMPTS: ReadonlySet<string> = new Set([...DETERMINERS, ...FUNCTION_WORDS]);

export interface SemanticVerifierOptions {
  /**
   * Embedding model whose cosine `verify()` receives (config `embedding.model`). The similarity is
   * calibrated on the local model's cosine; for any other model the verifier computes the local cosine
   * itself, so the threshold keeps its meaning whichever provider retrieved the candidates.
   */
  readonly embeddingModel?: string;
  /**
   * A calibration fitted for `embeddingModel` (`npm run calibrate`): the verifier then decides with that
   * model's cosine and weights, and its `balanced` threshold is the default. Ignored for another model.
   */
  readonly calibration?: ModelCalibration;
}

/** What `explain()` returns: the verdict and the evidence behind it. */
export interface MatchExplanation extends MatchVerdict {
  /** Undefined when a veto rejected before the word-level check ran, or the words are the same. */
  readonly features: MatchFeatures | undefined;
  /** What the veto found ("before/after", "km / mi"), when one rejected. */
  readonly detail?: string;
}

/**
 * Decides whether a candidate retrieved by vector search answers the query. Precision first: vetoes reject
 * pairs that differ in code, operators, numbers, negation, quoted literals, units, dates, direction words
 * or antonyms, and long prompts that differ beyond function words; then the content words of both texts
 * are aligned one to one (same stem, WordNet synonym, near-synonym by word vector; weighted by rarity) and
 * the evidence and the cosine combine into one calibrated similarity (docs/semantic-quality.md).
 */
export class SemanticVerifier {
  /** The calibrated default threshold for the configured model. */
  readonly defaultThreshold: number;
  private readonly encoder: SentenceEncoder | undefined;
  /** The calibration's `cosine` is the provider's (else the local model's, computed here). */
  private readonly providerCosine: boolean;
  /** See `ModelCalibration.localShift`. */
  private readonly localShift: number | undefined;
  private readonly calibration: Calibration;

  private constructor(
    private readonly vectors: WordVectors,
    private readonly lexicon: Lexicon,
    embeddingModel: string,
    modelCalibration: ModelCalibration | undefined,
  ) {
    const own = modelCalibration?.model === embeddingModel ? modelCalibration : undefined;
    // The provider's cosine is evidence only when weights were fitted for it; otherwise the local one is. A
    // calibration may also let the local model's own verdict count (`localShift`): then both cosines are needed.
    this.localShift = own?.localShift;
    this.encoder =
      embeddingModel === LOCAL_EMBEDDING_MODEL || (own && this.localShift === undefined)
        ? undefined
        : new SentenceEncoder(vectors);
    this.providerCosine = own !== undefined;
    this.calibration = own?.calibration ?? CALIBRATION;
    this.defaultThreshold = own?.thresholds.balanced ?? DEFAULT_SIMILARITY_THRESHOLD;
  }

  /**
   * A verifier over the given word vectors (the port the local GloVe table implements) and lexicon
   * (WordNet): the composition root loads both once and passes them in (`@strata/embedding-local`).
   */
  static create(vectors: WordVectors, lexicon: Lexicon, options: SemanticVerifierOptions = {}): SemanticVerifier {
    return new SemanticVerifier(vectors, lexicon, options.embeddingModel ?? LOCAL_EMBEDDING_MODEL, options.calibration);
  }

  /**
   * @param cosine similarity of the two texts' embeddings, as the vector index scored the candidate.
   * @param threshold minimum similarity (0..1) for a hit.
   */
  verify(query: string, candidate: string, cosine: number, threshold: number): MatchVerdict {
    const { accepted, similarity, reason } = this.explain(query, candidate, cosine, threshold);
    return { accepted, similarity, reason };
  }

  /** `verify()` with the evidence it decided on (diagnostics, evaluation). */
  explain(query: string, candidate: string, cosine: number, threshold: number): MatchExplanation {
    if (query.trim() === '' || candidate.trim() === '') return rejected('empty', undefined);
    const a = analyzeText(query, this.vectors);
    const b = analyzeText(candidate, this.vectors);
    const veto = vetoReason(a, b);
    if (veto !== undefined) return rejected(veto[0], veto[1]);
    // The same words in the same order (case, punctuation and blanks aside): the same question.
    if (a.tokens.join(' ') === b.tokens.join(' ')) return same();
    if (a.tokens.length > LONG_PROMPT_TOKENS || b.tokens.length > LONG_PROMPT_TOKENS) {
      return longPromptWords(a) === longPromptWords(b)
        ? same()
        : rejected('long-prompt-mismatch', `more than ${LONG_PROMPT_TOKENS} words`);
    }

    const alignment = alignWords(a, b, this.vectors, this.lexicon);
    if (alignment.antonym !== undefined) return rejected('antonym', alignment.antonym);
    if (alignment.directionSwap !== undefined) return rejected('direction-mismatch', alignment.directionSwap);
    if (alignment.nameSwap !== undefined) return rejected('name-mismatch', alignment.nameSwap);
    const localCosine = clampCosine(
      this.encoder === undefined ? cosine : dot(this.encoder.encode(query), this.encoder.encode(candidate)),
    );
    const features: MatchFeatures = {
      cosine: this.providerCosine ? clampCosine(cosine) : localCosine,
      ...alignment.features,
    };
    let similarity = calibratedSimilarity(features, this.calibration);
    if (this.localShift !== undefined) {
      const local = calibratedSimilarity({ ...features, cosine: localCosine }, CALIBRATION) - this.localShift;
      if (local > similarity) similarity = local;
    }
    if (similarity >= threshold) return { accepted: true, similarity, reason: 'match', features };
    return { accepted: false, similarity, reason: rejectionReason(features), features };
  }
}

/** The first veto that applies, with what it found. Vetoes hold for every model and threshold. */
function vetoReason(a: TextAnalysis, b: TextAnalysis): [MatchReason, string] | undefined {
  if (a.code.join('\n') !== b.code.join('\n')) return ['code-mismatch', 'code differs'];
  if (a.operators !== b.operators) return ['operator-mismatch', `${a.operators || '-'} / ${b.operators || '-'}`];
  if (a.numbers !== b.numbers) return ['number-mismatch', `${a.numbers || '-'} / ${b.numbers || '-'}`];
  if (a.negations !== b.negations) return ['negation-mismatch', `${a.negations} / ${b.negations}`];
  if (!a.literals.every((l) => b.compact.includes(l)) || !b.literals.every((l) => a.compact.includes(l))) {
    return ['literal-mismatch', 'quoted text, URL or e-mail differs'];
  }
  const units = changed(a.units, b.units);
  if (units !== undefined) return ['unit-mismatch', units];
  const dates = changed(a.dates, b.dates);
  if (dates !== undefined) return ['date-mismatch', dates];
  if (a.unspaced !== b.unspaced) return ['script-mismatch', 'text without spaces differs'];
  const direction = directionChange(a.tokens, b.tokens);
  if (direction !== undefined) return ['direction-mismatch', direction];
  return undefined;
}

/**
 * "before" in one text and "after" in the other (each missing from the other text): a direction or order
 * changed. One side dropped alone is a rewording.
 */
function directionChange(a: readonly string[], b: readonly string[]): string | undefined {
  const inA = wordForms(a);
  const inB = wordForms(b);
  for (const sides of DIRECTION_GROUPS) {
    let onlyA = -1;
    let onlyB = -1;
    sides.forEach((side, s) => {
      const usedA = side.some((w) => inA.has(w));
      const usedB = side.some((w) => inB.has(w));
      if (usedA && !usedB) onlyA = s;
      if (usedB && !usedA) onlyB = s;
    });
    if (onlyA >= 0 && onlyB >= 0 && onlyA !== onlyB) return `${sides[onlyA][0]}/${sides[onlyB][0]}`;
  }
  return undefined;
}

/** "km/mi" when each set has a member the other lacks (one side only adding or dropping one is a rewording). */
function changed(a: ReadonlySet<string>, b: ReadonlySet<string>): string | undefined {
  const onlyA = [...a].find((x) => !b.has(x));
  const onlyB = [...b].find((x) => !a.has(x));
  return onlyA !== undefined && onlyB !== undefined ? `${onlyA}/${onlyB}` : undefined;
}

function wordForms(tokens: readonly string[]): Set<string> {
  const forms = new Set<string>();
  for (const token of tokens) {
    forms.add(token);
    const stemmed = stem(token);
    if (stemmed !== token) forms.add(stemmed).add(`${stemmed}e`);
  }
  return forms;
}

function longPromptWords(analysis: TextAnalysis): string {
  return analysis.tokens.filter((t) => !IGNORED_IN_LONG_PROMPTS.has(t)).join(' ');
}

/** Names the evidence that cost the most similarity (diagnostics only; the similarity decides). */
function rejectionReason(features: MatchFeatures): MatchReason {
  const w = (name: keyof MatchFeatures): number => CALIBRATION.weights[name] ?? 0;
  const order = -(
    w('roleMismatch') * features.roleMismatch +
    w('reordered') * features.reordered +
    w('swapped') * features.swapped
  );
  const content =
    w('exactCoverage') * (1 - features.exactCoverage) +
    w('softCoverage') * (1 - features.softCoverage) -
    w('unmatched') * features.unmatched -
    w('substituted') * features.substituted -
    w('nameUnmatched') * features.nameUnmatched;
  const cosine = w('cosine') * (1 - features.cosine);
  if (order >= content && order >= cosine) return 'order-mismatch';
  if (content >= cosine) return 'content-mismatch';
  return 'below-threshold';
}

function same(): MatchExplanation {
  return { accepted: true, similarity: 1, reason: 'match', features: undefined };
}

function rejected(reason: MatchReason, detail: string | undefined): MatchExplanation {
  return detail === undefined
    ? { accepted: false, similarity: 0, reason, features: undefined }
    : { accepted: false, similarity: 0, reason, features: undefined, detail };
}

function clampCosine(cosine: number): number {
  return Number.isFinite(cosine) ? Math.min(1, Math.max(-1, cosine)) : 0;
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}
