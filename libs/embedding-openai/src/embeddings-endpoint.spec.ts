import { embeddingsEndpoint } from './embeddings-endpoint';

describe(embeddingsEndpoint.name, () => {
  it.each([
    ['https://api.openai.com', 'https://api.openai.com/v1/embeddings'],
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/embeddings'],
    ['https://api.openai.com/v1/', 'https://api.openai.com/v1/embeddings'],
    ['http://127.0.0.1:11434', 'http://127.0.0.1:11434/v1/embeddings'],
    ['http://tei:8080/', 'http://tei:8080/v1/embeddings'],
    ['http://vllm:8000/v1', 'http://vllm:8000/v1/embeddings'],
    ['http://proxy/llm/', 'http://proxy/llm/v1/embeddings'],
    ['http://proxy/llm/v1/embeddings', 'http://proxy/llm/v1/embeddings'],
    ['https://acme.openai.azure.com', 'https://acme.openai.azure.com/openai/v1/embeddings'],
    ['https://acme.openai.azure.com/openai/v1/', 'https://acme.openai.azure.com/openai/v1/embeddings'],
    [
      'https://acme.openai.azure.com/openai/deployments/emb-small',
      'https://acme.openai.azure.com/openai/deployments/emb-small/embeddings',
    ],
  ])('maps %s to %s', (base, endpoint) => {
    expect(embeddingsEndpoint(base).toString()).toBe(endpoint);
  });

  it('sets api-version and keeps other query parameters', () => {
    const url = embeddingsEndpoint('https://acme.openai.azure.com/openai/deployments/emb?foo=bar', '2024-10-21');
    expect(url.pathname).toBe('/openai/deployments/emb/embeddings');
    expect(url.searchParams.get('api-version')).toBe('2024-10-21');
    expect(url.searchParams.get('foo')).toBe('bar');
  });

  it('rejects a URL that is not absolute http(s)', () => {
    expect(() => embeddingsEndpoint('localhost:11434')).toThrow(/http\(s\)|valid absolute URL/);
    expect(() => embeddingsEndpoint('not a url')).toThrow(/valid absolute URL/);
  });
});
