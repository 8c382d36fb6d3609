import { canonicalNumber, isNumberToken, tokenizeCased, type WordVectors } from '@strata/embedding';
import {
  DETERMINERS,
  MODAL_BITS,
  NEGATIONS,
  NUMBER_WORDS,
  PERSON_BITS,
  PREPOSITIONS,
  QUESTION_WORDS,
  STOP_WORDS,
} from './lexicon';
import { DATE_WORDS, FOREIGN_NEGATIONS, FOREIGN_NUMBER_WORDS, UNIT_SYMBOLS, UNIT_WORDS } from './near-miss.lexicon';
import { stem } from './stem';

/** A word that carries content; it must find a counterpart in the other question. */
export interface ContentWord {
  /** Lower-case token. */
  readonly word: string;
  readonly stem: string;
  /** Id in the word-vector table (its frequency rank), or -1 when unknown. */
  readonly id: number;
  /** IDF-like weight from the word's estimated frequency: rarer words matter more. */
  readonly weight: number;
  /** Token index of the first occurrence (word order). */
  readonly position: number;
  /** The preposition governing the word's phrase ("from" for "new" and "york" in "from New York"), or ''. */
  readonly role: string;
  /** Capitalised inside the text: probably a name, which only matches itself. */
  readonly name: boolean;
  /** Occurs more than once: its position says nothing about order. */
  readonly repeated: boolean;
  /** Base forms to look up in WordNet: the word, its stem, the stem + "e" ("reduced" → reduce). */
  readonly forms: readonly string[];
}

export interface TextAnalysis {
  /** Lower-case tokens of the prose (code removed), in order. */
  readonly tokens: readonly string[];
  readonly content: readonly ContentWord[];
  /** Fenced and inline code, whitespace removed, sorted: compared verbatim. */
  readonly code: readonly string[];
  /** Operator symbols outside code (`>`, `<=`, `!=`, `+`, ` - `…), in order: never dropped. */
  readonly operators: string;
  /** Canonical date words used (weekdays, months, relative days). */
  readonly dates: ReadonlySet<string>;
  /** Canonical units and currencies used. */
  readonly units: ReadonlySet<string>;
  /** Characters of scripts written without spaces (Chinese, Japanese, Thai…), in order. */
  readonly unspaced: string;
  /** Canonical numbers, sorted, space-separated ("2 1990 3.5"). */
  readonly numbers: string;
  readonly negations: number;
  /** Quoted strings, URLs and e-mail addresses, whitespace removed. */
  readonly literals: readonly string[];
  /** The text with whitespace removed: where the other text's literals must occur verbatim. */
  readonly compact: string;
  /** Bit i set when QUESTION_WORDS[i] occurs. */
  readonly questionWords: number;
  /** PERSON_BITS of the pronouns used. */
  readonly persons: number;
  /** MODAL_BITS of the modal and past auxiliaries used. */
  readonly modals: number;
}

/** Information (nats) below which a content word adds nothing: ~ the 50 most frequent words. */
const WEIGHT_FLOOR = 4;
/** Numbers are equal on both sides (the guard checked); as content words they anchor word order. */
const NUMBER_WEIGHT = 3;
/** How far back (in tokens) a word looks for the preposition that governs it. */
const ROLE_WINDOW = 3;

const FENCED_CODE = /```[^\n`]*\n?([\s\S]*?)```/g;
const INLINE_CODE = /(?<!`)`([^`\n]{1,2000})`(?!`)/g;
/**
 * Operators outside code: comparisons and arrows anywhere, "+" anywhere ("a+b", "C++"), other arithmetic
 * only between short operands ("a - b", "x*2", "n / 10") or as a sign ("-5"), so hyphens ("well-known",
 * "well - known"), markdown emphasis and "and/or" are not operators. A trailing "!" is punctuation.
 */
const OPERATOR =
  /!==?|===?|<=|>=|=>|->|&&|\|\||[<>=]|\+\+?|(?<=(?:^|[\s(])(?:\w{1,2}|[\w.]*\d[\w.]*|\))\s?)[-*/^%](?=\s?(?:\w{1,2}|[\w.]*\d[\w.]*|\()(?:[\s),.;:?!]|$))|(?<=^|\s)-(?=\d)/g;
const UNSPACED_SCRIPT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/gu;
/** "No, …" opening an answer-like sentence repeats the negation that follows; it is not a second one. */
const INTERJECTION_NO = /(?:^|[.!?]\s+)no\s*[,;:!.]/gi;
/** French "ne"/"n'" (the first part of a negation). */
const FRENCH_NE = /(?<!\p{L})(?:ne(?!\p{L})|n['’](?=\p{L}))/giu;
const SENTENCE_BREAK = /(?<=[.!?:;])\s+|\n+/;
const NUMBER = /\d+(?:,\d{3})*(?:\.\d+)?(st|nd|rd|th)?/g;
const LITERAL =
  /"([^"\n]{1,500})"|“([^”\n]{1,500})”|``(.{1,500}?)''|`([^`\n]{1,500})`|(?:^|(?<=[\s([{]))'([^'\n]{1,500})'(?=$|[\s.,;:!?)\]}])|(\bhttps?:\/\/\S+|[\w.+-]+@[\w-]+\.[\w.-]+)/g;
const WHITESPACE = /\s+/g;
const QUESTION_BITS: ReadonlyMap<string, number> = new Map(QUESTION_WORDS.map((word, i) => [word, 1 << i]));

export function analyzeText(raw: string, vectors: WordVectors): TextAnalysis {
  const code: string[] = [];
  const text = raw
    .replace(FENCED_CODE, (_, body: string) => {
      code.push(body.replace(WHITESPACE, ''));
      return ' ';
    })
    .replace(INLINE_CODE, (_, body: string) => {
      code.push(body.replace(WHITESPACE, ''));
      return ' ';
    });
  const known = (word: string): boolean => vectors.id(word) >= 0;
  // Tokenised sentence by sentence: a capital after a full stop is not a name.
  const tokens: string[] = [];
  const nameLike: boolean[] = [];
  for (const sentence of text.split(SENTENCE_BREAK)) {
    const cased = tokenizeCased(sentence, known);
    cased.tokens.forEach((token, k) => {
      tokens.push(token);
      nameLike.push(k > 0 && cased.capitalized[k]);
    });
  }
  // In Title Case or ALL CAPS text capitals say nothing about names.
  const names = nameLike.filter(Boolean).length * 2 < Math.max(1, tokens.length - 1);
  const numbers: string[] = [];
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
    const value = canonicalNumber(m[0].replace(/(st|nd|rd|th)$/, ''));
    numbers.push(m[1] === undefined ? value : `${value}th`);
  }

  let negations = -(text.match(INTERJECTION_NO)?.length ?? 0);
  const frenchNe = text.match(FRENCH_NE)?.length ?? 0;
  let foreignNegations = 0;
  const dates: string[] = [];
  const units: string[] = (text.match(UNIT_SYMBOLS) ?? []).map((symbol) => UNIT_WORDS.get(symbol) ?? symbol);
  const unspaced = (text.match(UNSPACED_SCRIPT) ?? []).join('');
  let questionWords = 0;
  let persons = 0;
  let modals = 0;
  const content: ContentWord[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i];
    if (NEGATIONS.has(token)) negations++;
    if (FOREIGN_NEGATIONS.has(token)) foreignNegations++;
    const date = DATE_WORDS.get(token);
    if (date !== undefined) dates.push(date);
    const unit = UNIT_WORDS.get(token);
    if (unit !== undefined) units.push(unit);
    questionWords |= QUESTION_BITS.get(token) ?? 0;
    persons |= PERSON_BITS.get(token) ?? 0;
    modals |= MODAL_BITS.get(token) ?? 0;
    const spelled = NUMBER_WORDS.get(token) ?? FOREIGN_NUMBER_WORDS.get(token);
    if (spelled !== undefined) {
      numbers.push(spelled);
      // "five" and "5" are the same content word.
      token = spelled;
    }
    if (STOP_WORDS.has(token)) continue;
    const previous = seen.get(token);
    if (previous !== undefined) {
      content[previous] = { ...content[previous], repeated: true };
      continue;
    }
    const numeric = spelled !== undefined || isNumberToken(token);
    const stemmed = numeric ? token : stem(token);
    let id = numeric ? -1 : vectors.id(token);
    if (id < 0 && stemmed !== token) id = vectors.id(stemmed);
    seen.set(token, content.length);
    content.push({
      word: token,
      stem: stemmed,
      id,
      weight: numeric ? NUMBER_WEIGHT : Math.max(0.5, vectors.information(id) - WEIGHT_FLOOR),
      position: i,
      role: governingPreposition(tokens, i),
      name: names && nameLike[i],
      repeated: false,
      forms: stemmed === token ? [token] : [token, stemmed, `${stemmed}e`],
    });
  }
  OPERATOR.lastIndex = 0;
  const operators = (text.match(OPERATOR) ?? []).join(' ');
  return {
    tokens,
    content,
    code: code.sort(),
    operators,
    dates: new Set(dates),
    units: new Set(units),
    unspaced,
    numbers: numbers.sort().join(' '),
    // French "ne … pas" is one negation; a bare "ne" (literary) counts on its own.
    negations: Math.max(0, negations) + Math.max(foreignNegations, frenchNe),
    literals: extractLiterals(text),
    compact: text.replace(WHITESPACE, ''),
    questionWords,
    persons,
    modals,
  };
}

/** Nearest preposition before `index`, skipping determiners and modifying words; '' at any other stop. */
function governingPreposition(tokens: readonly string[], index: number): string {
  for (let i = index - 1, steps = 0; i >= 0 && steps < ROLE_WINDOW; i--) {
    const token = tokens[i];
    if (PREPOSITIONS.has(token)) return token;
    if (DETERMINERS.has(token)) continue;
    if (STOP_WORDS.has(token)) return '';
    steps++;
  }
  return '';
}

function extractLiterals(text: string): string[] {
  const literals: string[] = [];
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(text); m !== null; m = LITERAL.exec(text)) {
    const literal = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '').replace(WHITESPACE, '');
    if (literal.length > 0) literals.push(literal);
  }
  return literals;
}
