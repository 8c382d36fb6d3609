import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { CALIBRATION } from './calibration';
import { readCalibrationFile } from './model-calibration';
import { SemanticVerifier } from './semantic-verifier';

describe(readCalibrationFile.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-calibration-'));
  const write = (name: string, body: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
    return path;
  };
  const entry = {
    model: 'text-embedding-3-small',
    source: 'test',
    calibration: { intercept: -6, weights: { cosine: 8, exactCoverage: 0.5 } },
    thresholds: { strict: 0.99, balanced: 0.9, lenient: 0.8 },
  };

  it('reads the entries per model', () => {
    const file = readCalibrationFile(write('ok.json', { version: 1, models: { [entry.model]: entry } }));
    expect(file.models[entry.model]?.thresholds.balanced).toBe(0.9);
  });

  it('names the problem in a bad file instead of failing later', () => {
    expect(() => readCalibrationFile(join(dir, 'missing.json'))).toThrow(/missing\.json/);
    expect(() => readCalibrationFile(write('broken.json', '{'))).toThrow(/broken\.json/);
    expect(() =>
      readCalibrationFile(write('bad.json', { version: 1, models: { x: { ...entry, thresholds: {} } } })),
    ).toThrow(/bad\.json: models\.x\.thresholds\.strict/);
    expect(() =>
      readCalibrationFile(
        write('unknown.json', {
          version: 1,
          models: { x: { ...entry, calibration: { intercept: 0, weights: { colour: 1 } } } },
        }),
      ),
    ).toThrow(/unknown\.json/);
  });

  it('makes the verifier decide with the model’s own cosine and default threshold, for that model only', async () => {
    const [vectors, wordNet] = await Promise.all([loadWordVectors(), loadWordNet()]);
    const calibrated = SemanticVerifier.create(vectors, wordNet, { embeddingModel: entry.model, calibration: entry });
    const other = SemanticVerifier.create(vectors, wordNet, { embeddingModel: 'another-model', calibration: entry });
    expect(calibrated.defaultThreshold).toBe(0.9);
    expect(other.defaultThreshold).not.toBe(0.9);
    const q = 'How do I reset my password?';
    const c = 'How can I reset my password?';
    // With its weights the provider's cosine decides: a low one rejects, a high one accepts.
    expect(calibrated.verify(q, c, 0.2, 0.9).accepted).toBe(false);
    expect(calibrated.verify(q, c, 0.99, 0.9).accepted).toBe(true);
    expect(CALIBRATION.weights.cosine).toBeDefined();
  });
});
