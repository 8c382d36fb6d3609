import { OpenAiCompatibleProvider } from '@strata/embedding-openai';
import { loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { SemanticVerifier } from '@strata/semantic';
import { type CalibrationPair, calibrate } from './calibrate';
import { ParaphraseEmbeddingsServer } from './paraphrase-embeddings.fake';

/**
 * Labelled groups: each a question asked three ways; near misses ask about another object with the same
 * verb, or the same object with another verb — close in words, different in meaning.
 */
function labelledGroups(): { pairs: CalibrationPair[]; groupOf: Map<string, number> } {
  const verbs = ['clean', 'repair', 'paint', 'insure', 'sell', 'store', 'measure', 'heat', 'wash', 'register'];
  const objects = [
    'bicycle',
    'kitchen floor',
    'garden fence',
    'laptop screen',
    'wooden table',
    'leather jacket',
    'apartment',
    'boat',
    'piano',
    'carpet',
    'camera',
    'sofa',
  ];
  const groupOf = new Map<string, number>();
  const variants: string[][] = [];
  let g = 0;
  for (const verb of verbs) {
    for (const object of objects) {
      const texts = [
        `how do i ${verb} my ${object}`,
        `what is the best way to ${verb} a ${object}`,
        `tips to ${verb} my ${object} properly`,
      ];
      for (const t of texts) groupOf.set(t, g);
      variants.push(texts);
      g++;
    }
  }
  const pairs: CalibrationPair[] = [];
  variants.forEach((texts, i) => {
    pairs.push({ textA: texts[0], textB: texts[1], label: 1 }, { textA: texts[0], textB: texts[2], label: 1 });
    const sameVerb = variants[i % objects.length === objects.length - 1 ? i - 1 : i + 1];
    const sameObject = variants[(i + objects.length) % variants.length];
    pairs.push({ textA: texts[0], textB: sameVerb[1], label: 0 }, { textA: texts[1], textB: sameObject[0], label: 0 });
    pairs.push({ textA: texts[2], textB: sameVerb[2], label: 0 });
  });
  return { pairs, groupOf };
}

describe('semantic calibration per embedding model', () => {
  const { pairs, groupOf } = labelledGroups();
  const server = new ParaphraseEmbeddingsServer(groupOf);
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('fitted on one half with a strong model’s cosine, reaches ≥ 90% recall at ≤ 2% wrong hits on the other half', async () => {
    const provider = new OpenAiCompatibleProvider({ url: server.url, model: 'fake-strong' });
    const result = await calibrate(pairs, {
      model: 'fake-strong',
      embed: (texts) => provider.embed(texts),
      verifier: SemanticVerifier.create(await loadWordVectors(), await loadWordNet()),
      target: 0.02,
      source: 'labelled groups',
    });
    const balanced = result.heldOut.find((r) => r.threshold === result.calibration.thresholds.balanced);
    expect(result.tuningPairs).toBeGreaterThan(200);
    expect(result.heldOutPairs).toBeGreaterThan(200);
    expect(balanced?.recall).toBeGreaterThanOrEqual(0.9);
    expect(balanced?.wrongHitRate).toBeLessThanOrEqual(0.02);
    // The decision rests on the model's cosine, not only on word overlap.
    expect(result.calibration.calibration.weights.cosine).toBeGreaterThan(1);
    expect(result.calibration.thresholds.strict).toBeGreaterThanOrEqual(result.calibration.thresholds.balanced);
    expect(result.calibration.thresholds.balanced).toBeGreaterThanOrEqual(result.calibration.thresholds.lenient);

    // Loaded by the verifier for that model, it decides with the model's cosine and its own default threshold.
    const verifier = SemanticVerifier.create(await loadWordVectors(), await loadWordNet(), {
      embeddingModel: 'fake-strong',
      calibration: result.calibration,
    });
    expect(verifier.defaultThreshold).toBe(result.calibration.thresholds.balanced);
    const cosine = (a: string, b: string): number =>
      server.vector(a).reduce((s, x, d) => s + x * server.vector(b)[d], 0);
    const same = ['how do i paint my boat', 'tips to paint my boat properly'] as const;
    const other = ['how do i paint my boat', 'how do i paint my piano'] as const;
    expect(verifier.verify(same[1], same[0], cosine(...same), verifier.defaultThreshold).accepted).toBe(true);
    expect(verifier.verify(other[1], other[0], cosine(...other), verifier.defaultThreshold).accepted).toBe(false);
  });
});
