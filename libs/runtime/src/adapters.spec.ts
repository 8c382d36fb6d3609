import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@strata/config';
import { modelCalibration } from './adapters';

describe(modelCalibration.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-model-calibration-'));
  const path = join(dir, 'calibration.json');
  const model = 'text-embedding-3-small';
  const writeBalanced = (balanced: number): void =>
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        models: {
          [model]: {
            model,
            source: 'test',
            calibration: { intercept: -6, weights: { cosine: 8 } },
            thresholds: { strict: 0.99, balanced, lenient: 0.8 },
          },
        },
      }),
    );
  const config = () =>
    loadConfig({
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_URL: 'http://127.0.0.1:1/v1',
      EMBEDDING_MODEL: model,
      STRATA_SEMANTIC_CALIBRATION: path,
    });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the calibration file once per config: every service of one process gets the same calibration', () => {
    writeBalanced(0.9);
    const shared = config();

    const gatewaysRead = modelCalibration(shared);
    // Had the file been read again, the second service would see this.
    writeBalanced(0.7);
    const cacheServicesRead = modelCalibration(shared);

    expect(gatewaysRead?.thresholds.balanced).toBe(0.9);
    expect(cacheServicesRead).toBe(gatewaysRead);
  });

  it('reads the file afresh for another config', () => {
    writeBalanced(0.9);
    expect(modelCalibration(config())?.thresholds.balanced).toBe(0.9);

    writeBalanced(0.85);

    expect(modelCalibration(config())?.thresholds.balanced).toBe(0.85);
  });
});
