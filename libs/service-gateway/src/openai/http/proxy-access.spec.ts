import { createHash } from 'node:crypto';
import { type StrataConfig, loadConfig } from '@strata/config';
import { StrataError } from '@strata/contracts';
import { TenantResolver } from '../../auth/tenant-resolver';
import { ProxyAccess, RateLimitedError } from './proxy-access';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

function setup(overrides: Parameters<typeof loadConfig>[1] = {}) {
  const config: StrataConfig = loadConfig({}, overrides);
  return new ProxyAccess(new TenantResolver(config), config);
}

describe(ProxyAccess.name, () => {
  const withKeys = { auth: { apiKeys: [{ tenant: 'acme', sha256: sha256('strata-acme') }] } };

  it('without Strata keys: the default tenant, its Authorization passed through', () => {
    const sut = setup();
    expect(sut.admit({ authorization: 'Bearer sk-own', 'openai-organization': 'org-1' })).toEqual({
      tenant: 'default',
      credentials: { authorization: 'Bearer sk-own', 'openai-organization': 'org-1' },
    });
  });

  it('with Strata keys: the bearer is the Strata key, and is never forwarded', () => {
    const sut = setup(withKeys);
    expect(sut.admit({ authorization: 'Bearer strata-acme' })).toEqual({ tenant: 'acme', credentials: {} });
  });

  it('with Strata keys: the Strata key in X-API-Key lets the client bring its own upstream key', () => {
    const sut = setup(withKeys);
    expect(sut.admit({ 'x-api-key': 'strata-acme', authorization: 'Bearer sk-own' })).toEqual({ tenant: 'acme', credentials: { authorization: 'Bearer sk-own' } });
  });

  it('refuses an unknown or missing key', () => {
    const sut = setup(withKeys);
    expect(() => sut.admit({ authorization: 'Bearer sk-openai' })).toThrow(StrataError);
    expect(() => sut.admit({})).toThrow(StrataError);
  });

  it('applies the tenant rate limit with a retry delay', () => {
    const sut = setup({ ...withKeys, rateLimit: { tenants: { acme: { requestsPerSecond: 0.01, burst: 1 } } } });
    sut.admit({ authorization: 'Bearer strata-acme' });
    let refused: unknown;
    try {
      sut.admit({ authorization: 'Bearer strata-acme' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(100);
  });
});
