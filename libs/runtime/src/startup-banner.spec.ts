import { loadConfig } from '@strata/config';
import { logFormat, startupBanner } from './startup-banner';

describe(startupBanner.name, () => {
  it('says where it listens, the mode, the stores, that no upstream is set and what a miss then answers', () => {
    const config = loadConfig({});
    const banner = startupBanner('gateway', config, 'http://127.0.0.1:8080', 'pretty');
    const [first] = banner.split('\n');
    expect(first).toBe('Strata (embedded) listening on http://127.0.0.1:8080');
    expect(banner).toContain('embedded: gateway, cache, embedding and invalidation services in this process');
    expect(banner).toContain('L2 in-memory');
    expect(banner).toContain('L3 in-process vector index');
    expect(banner).toContain('upstream   none configured');
    expect(banner).toContain('502 upstream_error');
    expect(banner).toContain('UPSTREAM_URL');
    expect(banner).toContain(`curl -s http://127.0.0.1:8080/v1/cache/lookup -H 'content-type: application/json'`);
    expect(banner).toContain('tenant "default"');
  });

  it('names the configured stores and upstream by host, never a key', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:redis-password@redis.internal:6379',
      QDRANT_URL: 'http://qdrant.internal:6333',
      UPSTREAM_URL: 'https://api.openai.com/v1',
      UPSTREAM_API_KEY: 'sk-upstream-secret',
      STRATA_API_KEYS: 'acme=acme-secret-key',
    });
    const banner = startupBanner('gateway', config, 'http://0.0.0.0:8080', 'pretty');
    expect(banner).toContain('L2 Redis (redis.internal:6379)');
    expect(banner).toContain('L3 Qdrant (qdrant.internal:6333)');
    expect(banner).toContain('upstream   api.openai.com (UPSTREAM_URL)');
    expect(banner).not.toContain('none configured');
    for (const secret of ['redis-password', 'sk-upstream-secret', 'acme-secret-key'])
      expect(banner).not.toContain(secret);
  });

  it('prints the address really bound, and a curl a local client can run against it', () => {
    const config = loadConfig({ STRATA_API_KEYS: 'acme=acme-secret-key' });
    const banner = startupBanner('gateway', config, 'http://0.0.0.0:43117', 'pretty');
    expect(banner.split('\n')[0]).toBe('Strata (embedded) listening on http://0.0.0.0:43117');
    expect(banner).toContain(`curl -s http://127.0.0.1:43117/v1/cache/lookup -H 'x-strata-key: <your key>'`);
  });

  it('is the one listening line in the JSON format, leaving stdout to the JSON logs', () => {
    const config = loadConfig({});
    expect(startupBanner('gateway', config, 'http://127.0.0.1:8080', 'json')).toBe(
      'Strata (embedded) listening on http://127.0.0.1:8080\n',
    );
  });

  it('names the service and its broker in distributed mode', () => {
    const config = loadConfig({ STRATA_MODE: 'distributed', KAFKA_BROKERS: 'kafka:9092' });
    const banner = startupBanner('cache', config, 'http://0.0.0.0:9464', 'pretty');
    expect(banner.split('\n')[0]).toBe('Strata cache (distributed) listening on http://0.0.0.0:9464');
    expect(banner).toContain('over Kafka (kafka:9092)');
    expect(banner).not.toContain('curl');
  });
});

describe(logFormat.name, () => {
  it('is pretty on a terminal and JSON elsewhere unless STRATA_LOG_FORMAT says otherwise', () => {
    expect(logFormat(loadConfig({}), true)).toBe('pretty');
    expect(logFormat(loadConfig({}), false)).toBe('json');
    expect(logFormat(loadConfig({ STRATA_LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormat(loadConfig({ STRATA_LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
  });
});
