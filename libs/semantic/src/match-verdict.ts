/** Why a candidate was accepted or rejected. */
export type MatchReason =
  /** Accepted: similarity ≥ threshold and no guard objected. */
  | 'match'
  /** The combined similarity is below the threshold. */
  | 'below-threshold'
  /** The questions contain different numbers ("3 days" vs "4 days", "five" vs "6"). */
  | 'number-mismatch'
  /** One question is negated and the other is not ("can I" vs "can't I"). */
  | 'negation-mismatch'
  /** Quoted strings, URLs or e-mail addresses differ. */
  | 'literal-mismatch'
  /** Below the threshold mainly because an informative word has no counterpart (another entity or topic). */
  | 'content-mismatch'
  /** Below the threshold mainly because the same words play different roles ("from A to B" vs "from B to A"). */
  | 'order-mismatch'
  /** Fenced or inline code differs (compared verbatim apart from whitespace). */
  | 'code-mismatch'
  /** Operators outside code differ ("x > 0" vs "x < 0", "==" vs "!="). */
  | 'operator-mismatch'
  /** A direction or order changed: before/after, from/to swapped, buy/sell, import/export… */
  | 'direction-mismatch'
  /** A word on one side is a WordNet antonym of one on the other (increase/decrease, hot/cold). */
  | 'antonym'
  /** Each text names something (a capitalised name) the other does not: "in Greece" vs "in Denmark". */
  | 'name-mismatch'
  /** Different units or currencies ("km" vs "miles", "$" vs "€"). */
  | 'unit-mismatch'
  /** Different weekdays, months or relative days ("today" vs "tomorrow"). */
  | 'date-mismatch'
  /** Text in a script written without spaces (Chinese, Japanese, Thai) differs: such text hits only when
   * it is the same apart from punctuation and blanks. */
  | 'script-mismatch'
  /** A long prompt whose words differ beyond function words, blanks and punctuation. */
  | 'long-prompt-mismatch'
  /** One text is empty (nothing to compare). */
  | 'empty';

export interface MatchVerdict {
  readonly accepted: boolean;
  /** 0..1, what the API reports as the hit's similarity; the threshold applies to it. 0 when a guard rejects. */
  readonly similarity: number;
  readonly reason: MatchReason;
}
