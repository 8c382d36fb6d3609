import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from './load-config';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the configuration was accepted');
}

describe(loadConfig.name, () => {
  describe('refuses configurations that cannot work, naming the variable', () => {
    it('two tenants with the same key', () => {
      expect(refusal({ STRATA_API_KEYS: 'acme=k1,globex=k1' })).toMatch(
        /STRATA_API_KEYS: tenants "acme" and "globex" have the same key/,
      );
      expect(refusal({ STRATA_API_KEYS: `acme=k1,globex=sha256:${sha256('k1')}` })).toMatch(/same key/);
    });

    it('Strata keys on and the default upstream without an upstream key', () => {
      expect(refusal({ STRATA_API_KEYS: 'acme=k1', UPSTREAM_URL: 'https://api.example.com/v1' })).toMatch(
        /UPSTREAM_API_KEY/,
      );
    });

    it('Strata keys on and a per-model route without an upstream key', () => {
      const message = refusal({
        STRATA_API_KEYS: 'acme=k1',
        UPSTREAM_URL: 'https://api.example.com/v1',
        UPSTREAM_API_KEY: 'sk',
        UPSTREAM_ROUTES: 'llama*=http://vllm:8000/v1',
      });
      expect(message).toMatch(/upstream\.routes\[0\] \(llama\*\)/);
    });

    it('an admin key that is also a tenant key', () => {
      expect(refusal({ STRATA_API_KEYS: 'acme=k1', STRATA_ADMIN_KEYS: 'k1' })).toMatch(/STRATA_ADMIN_KEYS/);
    });

    it('a keyless gateway on a public interface without the explicit opt-in', () => {
      expect(refusal({ HOST: '0.0.0.0' })).toMatch(/STRATA_ALLOW_KEYLESS_PUBLIC/);
      expect(loadConfig({ HOST: '0.0.0.0', STRATA_ALLOW_KEYLESS_PUBLIC: 'true' }).http.host).toBe('0.0.0.0');
    });
  });

  it('accepts the same tenant under two keys (rotation) and client upstream keys when opted in', () => {
    expect(loadConfig({ STRATA_API_KEYS: 'acme=k1,acme=k2' }).auth.apiKeys).toHaveLength(2);
    expect(
      loadConfig({
        STRATA_API_KEYS: 'acme=k1',
        UPSTREAM_URL: 'https://api.example.com/v1',
        STRATA_CLIENT_UPSTREAM_KEYS: 'true',
      }).auth.clientUpstreamKeys,
    ).toBe(true);
  });

  it('binds loopback unless API keys protect the gateway', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ STRATA_API_KEYS: 'acme=k1' }).http.host).toBe('0.0.0.0');
    expect(loadConfig({ STRATA_API_KEYS: 'acme=k1', HOST: '10.0.0.5' }).http.host).toBe('10.0.0.5');
  });

  it('releases clients of a hung upstream after 60 s by default', () => {
    expect(loadConfig({}).upstream.timeoutMs).toBe(60_000);
  });

  it('keeps only hashes of admin keys', () => {
    expect(loadConfig({ STRATA_ADMIN_KEYS: `ops-key,sha256:${sha256('other').toUpperCase()}` }).auth.adminKeys).toEqual(
      [sha256('ops-key'), sha256('other')],
    );
  });

  it('parses STRATA_TRUST_PROXY as a boolean, a hop count or addresses', () => {
    expect(loadConfig({ STRATA_TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ STRATA_TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ STRATA_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });
});

describe(`${loadConfig.name}: user-scoped and public namespaces`, () => {
  const salt = 'a-salt-of-sixteen-chars';

  it('refuses a user-scoped namespace without a salt for its user ids', () => {
    expect(() => loadConfig({}, { cache: { namespaces: { account: { scope: 'user' } } } })).toThrow(
      /STRATA_USER_ID_SALT/,
    );
    expect(
      loadConfig({ STRATA_USER_ID_SALT: salt }, { cache: { namespaces: { account: { scope: 'user' } } } }).cache
        .namespaces['account']?.scope,
    ).toBe('user');
  });

  it('refuses a namespace that is both public and user-scoped', () => {
    expect(() =>
      loadConfig({ STRATA_USER_ID_SALT: salt }, { cache: { namespaces: { x: { scope: 'user', public: true } } } }),
    ).toThrow(/never public/);
  });

  it('takes warm-on-version-bump per namespace, off unless set, with defaults for what is left out', () => {
    const namespaces = loadConfig({}, { cache: { namespaces: { docs: { version: 2, warmOnVersionBump: {} }, x: {} } } })
      .cache.namespaces;
    expect(namespaces['docs']?.warmOnVersionBump).toEqual({ top: 500, ratePerSecond: 5 });
    expect(namespaces['x']?.warmOnVersionBump).toBeUndefined();
  });

  it('refuses warm-on-version-bump on a user-scoped namespace, saying why', () => {
    expect(() =>
      loadConfig(
        { STRATA_USER_ID_SALT: salt },
        { cache: { namespaces: { account: { scope: 'user', warmOnVersionBump: { top: 10 } } } } },
      ),
    ).toThrow(/namespace "account" cannot both warm on version bumps and have scope "user"/);
  });

  it('reads the CDN purge webhook', () => {
    expect(loadConfig({ STRATA_CDN_PURGE_URL: 'https://cdn.example.com/purge' }).cdn).toEqual({
      purgeUrl: 'https://cdn.example.com/purge',
      purgeAttempts: 4,
    });
  });

  it("takes the sentence encoder's worker threads (one by default) and refuses none or a fraction", () => {
    expect(loadConfig({}).embedding.threads).toBe(1);
    expect(loadConfig({ EMBEDDING_THREADS: '4' }).embedding.threads).toBe(4);
    expect(refusal({ EMBEDDING_THREADS: '0' })).toContain('threads');
    expect(refusal({ EMBEDDING_THREADS: '1.5' })).toContain('threads');
  });

  it("takes the sentence encoder's workers' nice value (10 by default, 0–19) and refuses what Linux would not take", () => {
    expect(loadConfig({}).embedding.threadNice).toBe(10);
    expect(loadConfig({ EMBEDDING_THREAD_NICE: '0' }).embedding.threadNice).toBe(0);
    expect(loadConfig({ EMBEDDING_THREAD_NICE: '19' }).embedding.threadNice).toBe(19);
    expect(refusal({ EMBEDDING_THREAD_NICE: '20' })).toContain('threadNice');
    expect(refusal({ EMBEDDING_THREAD_NICE: '-5' })).toContain('threadNice');
  });

  it('hedges misses only where a namespace (or `*`) asks, and refuses a budget that is not whole milliseconds', () => {
    expect(loadConfig({}).upstream.hedgeAfterMs).toEqual({});
    expect(loadConfig({ STRATA_HEDGE_AFTER_MS: 'support=0,*=25' }).upstream.hedgeAfterMs).toEqual({
      support: 0,
      '*': 25,
    });
    expect(refusal({ STRATA_HEDGE_AFTER_MS: 'support=fast' })).toContain(
      'STRATA_HEDGE_AFTER_MS entries must look like namespace=milliseconds',
    );
    expect(refusal({ STRATA_HEDGE_AFTER_MS: 'support=-1' })).toContain('hedgeAfterMs');
  });
});
