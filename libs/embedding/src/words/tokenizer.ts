/**
 * The one tokenizer of the local model: the sentence encoder and the semantic verifier both use it, so a
 * word means the same thing to both. It is vocabulary-independent and allocation-light: one pass of a
 * regular expression over the normalised text.
 *
 * - case: everything is lower-cased (the GloVe vocabulary is lower-case);
 * - punctuation and quotes are dropped (the verifier reads quoted literals from the raw text itself);
 * - hyphenated words stay whole when the vocabulary knows them ("state-of-the-art"), else are split
 *   ("git-based" → git based, "covid-19" → covid 19); dotted words are split ("node.js" → node js);
 * - contractions are expanded ("don't" → do not, "can't" → can not, "I'm" → i am, "it's" → it);
 * - numbers keep their value: "1,000" → 1000, "3.50" → 3.5, "1990s" → 1990 s;
 * - scripts written without spaces (Chinese, Japanese, Thai…) are split into characters.
 */

const TOKEN = /\d+(?:,\d{3})*(?:\.\d+)?|[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*(?:['’][\p{L}]+)?/gu;
const APOSTROPHE = /['’]/;
/** Scripts written without spaces between words: each character is a token, so texts can still be compared. */
const UNSPACED = /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}])/u;
const DIGITS_ONLY = /^\d/;

/** Contracted negations whose stem is not the verb minus "n't". */
const IRREGULAR_NEGATIONS: Readonly<Record<string, string>> = {
  "can't": 'can',
  "won't": 'will',
  "shan't": 'shall',
  "ain't": 'is',
};

const CONTRACTION_SUFFIXES: Readonly<Record<string, string | undefined>> = {
  "'re": 'are',
  "'m": 'am',
  "'ll": 'will',
  "'ve": 'have',
  "'d": 'would',
  // Possessive or "is": both carry no content; the stem is kept.
  "'s": undefined,
};

/** Canonical text of a number token: thousands separators removed, trailing decimal zeros dropped. */
export function canonicalNumber(raw: string): string {
  const plain = raw.replace(/,/g, '');
  const value = Number(plain);
  return Number.isFinite(value) ? String(value) : plain;
}

/** True when a token produced by {@link tokenize} is a number ("1000", "3.5"). */
export function isNumberToken(token: string): boolean {
  return DIGITS_ONLY.test(token);
}

/** Whether the vocabulary has a (lower-case) word: decides if a hyphenated compound stays whole. */
type KnownWord = (word: string) => boolean;

const NO_COMPOUNDS: KnownWord = () => false;

/** Splits a text into lower-case word and number tokens, in order. */
export function tokenize(text: string, isKnown: KnownWord = NO_COMPOUNDS): string[] {
  return tokenizeCased(text, isKnown).tokens;
}

interface CasedTokens {
  /** As {@link tokenize} returns them. */
  readonly tokens: string[];
  /** Per token: the source word started with an upper-case letter (a name, or a sentence start). */
  readonly capitalized: boolean[];
}

/** {@link tokenize}, plus which tokens were capitalised in the text (proper-noun evidence). */
export function tokenizeCased(text: string, isKnown: KnownWord = NO_COMPOUNDS): CasedTokens {
  const tokens: string[] = [];
  const capitalized: boolean[] = [];
  const folded = text.normalize('NFKC');
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(folded); m !== null; m = TOKEN.exec(folded)) {
    const match = m[0];
    for (const raw of UNSPACED.test(match) ? match.split(UNSPACED) : [match]) {
      if (raw === '') continue;
      const lower = raw.toLowerCase();
      pushWord(tokens, lower, isKnown);
      const upper = raw.charCodeAt(0) !== lower.charCodeAt(0);
      while (capitalized.length < tokens.length) capitalized.push(upper);
    }
  }
  return { tokens, capitalized };
}

/** Negated auxiliaries typed without the apostrophe ("dont", "cant"): common in typed questions. */
const BARE_NEGATIONS: ReadonlyMap<string, string> = new Map([
  ['dont', 'do'],
  ['doesnt', 'does'],
  ['didnt', 'did'],
  ['cant', 'can'],
  ['couldnt', 'could'],
  ['wouldnt', 'would'],
  ['shouldnt', 'should'],
  ['isnt', 'is'],
  ['arent', 'are'],
  ['wasnt', 'was'],
  ['werent', 'were'],
  ['havent', 'have'],
  ['hasnt', 'has'],
  ['hadnt', 'had'],
  ['wont', 'will'],
  ['mustnt', 'must'],
]);

function pushWord(out: string[], raw: string, isKnown: KnownWord): void {
  if (!raw.includes('-') || isKnown(raw)) {
    pushToken(out, raw);
    return;
  }
  for (const part of raw.split('-')) pushToken(out, part);
}

function pushToken(out: string[], raw: string): void {
  if (isNumberToken(raw)) {
    out.push(canonicalNumber(raw));
    return;
  }
  const bare = BARE_NEGATIONS.get(raw);
  if (bare !== undefined) {
    out.push(bare, 'not');
    return;
  }
  const apostrophe = raw.search(APOSTROPHE);
  if (apostrophe < 0) {
    out.push(raw);
    return;
  }
  const word = raw.replace('’', "'");
  if (word === "n't") {
    out.push('not');
    return;
  }
  const irregular = IRREGULAR_NEGATIONS[word];
  if (irregular !== undefined) {
    out.push(irregular, 'not');
    return;
  }
  if (word.endsWith("n't")) {
    out.push(word.slice(0, -3), 'not');
    return;
  }
  const suffix = word.slice(apostrophe);
  if (suffix in CONTRACTION_SUFFIXES) {
    out.push(word.slice(0, apostrophe));
    const expansion = CONTRACTION_SUFFIXES[suffix];
    if (expansion !== undefined) out.push(expansion);
    return;
  }
  // o'neil, rock'n → one word without the apostrophe (the vocabulary has no apostrophes).
  out.push(word.slice(0, apostrophe) + word.slice(apostrophe + 1));
}
