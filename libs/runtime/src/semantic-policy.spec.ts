import { loadConfig } from '@strata/config';
import { LOCAL_MIN_COSINE } from '@strata/semantic';
import { semanticPolicy } from './semantic-policy';

describe(semanticPolicy.name, () => {
  it("falls back to the verifier's calibrated threshold and the local model's cosine floor", () => {
    expect(semanticPolicy(loadConfig({}), 0.91)).toEqual({ defaultThreshold: 0.91, minCosine: LOCAL_MIN_COSINE });
  });

  it('uses a lower cosine floor for an OpenAI-compatible embedding model', () => {
    const config = loadConfig({ EMBEDDING_PROVIDER: 'openai', EMBEDDING_URL: 'http://127.0.0.1:1/v1' });
    expect(semanticPolicy(config, 0.91).minCosine).toBe(0.5);
  });

  it('lets config decide both when it sets them', () => {
    const config = loadConfig({ STRATA_SIMILARITY_THRESHOLD: '0.97' }, { cache: { minCosine: 0.3 } });
    expect(semanticPolicy(config, 0.91)).toEqual({ defaultThreshold: 0.97, minCosine: 0.3 });
  });
});
