import { loadConfig } from '@strata/config';
import { LOCAL_MIN_COSINE } from '@strata/semantic';
import { semanticPolicy } from './semantic-policy';

describe(semanticPolicy.name, () => {
  it("takes the model's calibrated threshold and cosine floor (the sentence encoder, the default)", () => {
    expect(semanticPolicy(loadConfig({}), { defaultThreshold: 0.91, minCosine: 0.6 })).toEqual({
      defaultThreshold: 0.91,
      minCosine: 0.6,
    });
  });

  it("falls back to the GloVe model's cosine floor for it", () => {
    const config = loadConfig({ EMBEDDING_MODEL: 'glove-wiki-100d' });
    expect(semanticPolicy(config, { defaultThreshold: 0.94 })).toEqual({
      defaultThreshold: 0.94,
      minCosine: LOCAL_MIN_COSINE,
    });
  });

  it('uses a lower cosine floor for an OpenAI-compatible embedding model without a calibrated one', () => {
    const config = loadConfig({ EMBEDDING_PROVIDER: 'openai', EMBEDDING_URL: 'http://127.0.0.1:1/v1' });
    expect(semanticPolicy(config, { defaultThreshold: 0.91 }).minCosine).toBe(0.5);
  });

  it('lets config decide both when it sets them', () => {
    const config = loadConfig({ STRATA_SIMILARITY_THRESHOLD: '0.97' }, { cache: { minCosine: 0.3 } });
    expect(semanticPolicy(config, { defaultThreshold: 0.91, minCosine: 0.6 })).toEqual({
      defaultThreshold: 0.97,
      minCosine: 0.3,
    });
  });
});
