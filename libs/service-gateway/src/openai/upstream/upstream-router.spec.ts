import { UpstreamRouter } from './upstream-router';

const base = {
  apiKeyHeader: 'authorization' as const,
  anthropic: { url: 'https://api.anthropic.com/v1' },
  affinityLoadFactor: 0.25,
  timeoutMs: 1,
  streamIdleTimeoutMs: 1,
  streamUsage: true,
  staleWhileRevalidateSeconds: {},
  hedgeAfterMs: {},
  storeQueue: { capacity: 1, concurrency: 1, maxAttempts: 1, retryBaseMs: 1 },
};

describe(UpstreamRouter.name, () => {
  const sut = new UpstreamRouter({
    ...base,
    url: 'https://api.openai.com/v1/',
    apiKey: 'sk-default',
    routes: [
      { models: ['llama-*', 'mistral-7b'], url: 'http://vllm:8000/v1' },
      {
        models: ['gpt-4o-azure'],
        url: 'https://x.openai.azure.com/openai/v1/?api-version=preview',
        apiKey: 'az',
        apiKeyHeader: 'api-key',
      },
    ],
  });

  it('routes models by pattern, with each route its own key, key header and query', () => {
    expect(sut.route('llama-3-8b')).toEqual({
      baseUrl: 'http://vllm:8000/v1',
      query: '',
      apiKey: undefined,
      apiKeyHeader: 'authorization',
    });
    expect(sut.route('mistral-7b')?.baseUrl).toBe('http://vllm:8000/v1');
    expect(sut.route('gpt-4o-azure')).toEqual({
      baseUrl: 'https://x.openai.azure.com/openai/v1',
      query: '?api-version=preview',
      apiKey: 'az',
      apiKeyHeader: 'api-key',
    });
  });

  it('sends other models to the default upstream, without its trailing slash', () => {
    expect(sut.route('gpt-4o-mini')).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      query: '',
      apiKey: 'sk-default',
      apiKeyHeader: 'authorization',
    });
    expect(sut.default?.baseUrl).toBe('https://api.openai.com/v1');
  });

  it('has no route when nothing is configured for the model', () => {
    const routesOnly = new UpstreamRouter({ ...base, routes: [{ models: ['a'], url: 'http://a/v1' }] });
    expect(routesOnly.route('b')).toBeUndefined();
    expect(routesOnly.default).toBeUndefined();
  });

  it('makes a route with replicas one target whose requests pick a replica by prefix affinity', () => {
    const router = new UpstreamRouter({
      ...base,
      routes: [
        {
          models: ['llama-*'],
          url: 'http://a:8000/v1',
          replicas: ['http://b:8000/v1', 'http://c:8000/v1'],
          apiKey: 'k',
        },
      ],
    });
    const target = router.route('llama-3');
    expect(target?.baseUrl).toBe('http://a:8000/v1');
    expect(target?.replicas?.replicas.map((r) => [r.baseUrl, r.apiKey])).toEqual([
      ['http://a:8000/v1', 'k'],
      ['http://b:8000/v1', 'k'],
      ['http://c:8000/v1', 'k'],
    ]);
  });
});
