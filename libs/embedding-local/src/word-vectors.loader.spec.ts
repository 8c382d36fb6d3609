import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWordVectors } from './word-vectors.loader';

const WORDS = ['the', 'cat', 'dog', 'car'];
const VECTORS = [
  [0.1, 0.1, 0.1],
  [1, 0.2, 0],
  [0.9, 0.3, 0.1],
  [0, 0, 1],
];

function winkDocument(): string {
  const entries = WORDS.map((w, i) => `${JSON.stringify(w)}:[${[...VECTORS[i], 1, i].join(',')}]`).join(',');
  return `{"dimensions":3,"words":${JSON.stringify(WORDS)},"vectors":{${entries}},"unkVector":[0,0,0,0,-1]}`;
}

describe(loadWordVectors.name, () => {
  let dir: string;
  let source: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-loader-'));
    source = join(dir, 'wink.json');
    await writeFile(source, winkDocument());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the compact file into the cache dir on first use and keeps frequency ranks as ids', async () => {
    const cacheDir = join(dir, 'cache');
    const vectors = await loadWordVectors({ sourcePath: source, cacheDir, maxWords: 3 });
    expect(await readdir(cacheDir)).toEqual(['glove-100d.v1.3.bin']);
    expect(vectors.size).toBe(3);
    expect([vectors.id('the'), vectors.id('cat'), vectors.id('dog'), vectors.id('car')]).toEqual([0, 1, 2, -1]);
    expect(vectors.cosine(vectors.id('cat'), vectors.id('dog'))).toBeGreaterThan(0.95);
  });

  it('loads once per process and options', async () => {
    const options = { sourcePath: source, cacheDir: join(dir, 'cache'), maxWords: 4 };
    const [first, second] = await Promise.all([loadWordVectors(options), loadWordVectors({ ...options })]);
    expect(second).toBe(first);
  });

  it('replaces a corrupt cache file with a rebuilt one', async () => {
    const cacheDir = join(dir, 'cache');
    await mkdir(cacheDir);
    await writeFile(join(cacheDir, 'glove-100d.v1.2.bin'), 'garbage');
    const vectors = await loadWordVectors({ sourcePath: source, cacheDir, maxWords: 2 });
    expect(vectors.id('cat')).toBe(1);
    expect((await stat(join(cacheDir, 'glove-100d.v1.2.bin'))).size).toBeGreaterThan('garbage'.length);
  });

  it('works from a read-only or unusable cache dir by building in memory', async () => {
    const blocked = join(dir, 'file-not-dir');
    await writeFile(blocked, '');
    const vectors = await loadWordVectors({ sourcePath: source, cacheDir: join(blocked, 'cache'), maxWords: 4 });
    expect(vectors.id('car')).toBe(3);
  });
});
