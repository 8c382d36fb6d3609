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
}

export interface TextAnalysis {
  readonly content: readonly ContentWord[];
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

const NUMBER = /\d+(?:,\d{3})*(?:\.\d+)?(st|nd|rd|th)?/g;
const LITERAL =
  /"([^"\n]{1,500})"|“([^”\n]{1,500})”|``(.{1,500}?)''|`([^`\n]{1,500})`|(?:^|(?<=[\s([{]))'([^'\n]{1,500})'(?=$|[\s.,;:!?)\]}])|(\bhttps?:\/\/\S+|[\w.+-]+@[\w-]+\.[\w.-]+)/g;
const WHITESPACE = /\s+/g;
const QUESTION_BITS: ReadonlyMap<string, number> = new Map(QUESTION_WORDS.map((word, i) => [word, 1 << i]));

export function analyzeText(text: string, vectors: WordVectors): TextAnalysis {
  const { tokens, capitalized } = tokenizeCased(text, (word) => vectors.id(word) >= 0);
  const numbers: string[] = [];
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
    const value = canonicalNumber(m[0].replace(/(st|nd|rd|th)$/, ''));
    numbers.push(m[1] === undefined ? value : `${value}th`);
  }

  let negations = 0;
  let questionWords = 0;
  let persons = 0;
  let modals = 0;
  const content: ContentWord[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i];
    if (NEGATIONS.has(token)) negations++;
    questionWords |= QUESTION_BITS.get(token) ?? 0;
    persons |= PERSON_BITS.get(token) ?? 0;
    modals |= MODAL_BITS.get(token) ?? 0;
    const spelled = NUMBER_WORDS.get(token);
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
      name: capitalized[i] && i > 0,
      repeated: false,
    });
  }
  return {
    content,
    numbers: numbers.sort().join(' '),
    negations,
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
