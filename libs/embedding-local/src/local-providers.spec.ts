import { loadConfig } from '@strata/config';
import { LOCAL_EMBEDDING_MODEL, SENTENCE_ENCODER_MODEL } from '@strata/embedding';
import { LOCAL_PROVIDER_MODELS, loadLocalProvider } from './local-providers';

describe(loadLocalProvider.name, () => {
  it('runs the sentence encoder and the GloVe model', () => {
    expect(LOCAL_PROVIDER_MODELS).toEqual([SENTENCE_ENCODER_MODEL, LOCAL_EMBEDDING_MODEL]);
  });

  it('refuses another model, naming the local ones', async () => {
    await expect(loadLocalProvider('text-embedding-3-small')).rejects.toThrow(
      'text-embedding-3-small is not a local embedding model (use-lite, glove-wiki-100d)',
    );
  });

  it.each(LOCAL_PROVIDER_MODELS)('is what config accepts with EMBEDDING_PROVIDER=local: %s', (model) => {
    expect(loadConfig({ EMBEDDING_PROVIDER: 'local', EMBEDDING_MODEL: model }).embedding.model).toBe(model);
  });

  it('is what config names when it refuses another model with EMBEDDING_PROVIDER=local', () => {
    expect(() => loadConfig({ EMBEDDING_PROVIDER: 'local', EMBEDDING_MODEL: 'text-embedding-3-small' })).toThrow(
      `EMBEDDING_MODEL=text-embedding-3-small is not a local model: with EMBEDDING_PROVIDER=local use ${LOCAL_PROVIDER_MODELS.join(' or ')}`,
    );
  });
});
