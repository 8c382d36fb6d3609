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

  it('with Strata keys: the Strata key in X-Strata-Key lets the client bring its own upstream key', () => {
    const sut = setup(withKeys);
    expect(sut.admit({ 'x-strata-key': 'strata-acme', authorization: 'Bearer sk-own' })).toEqual({
      tenant: 'acme',
      credentials: { authorization: 'Bearer sk-own' },
    });
    expect(
      sut.admit(
        { 'x-strata-key': 'strata-acme', 'x-api-key': 'sk-ant-own', 'anthropic-version': '2023-06-01' },
        'anthropic',
      ),
    ).toEqual({
      tenant: 'acme',
      credentials: { 'x-api-key': 'sk-ant-own' },
    });
  });

  it('reads the Strata key from X-Strata-Key, then Authorization, then X-API-Key, and never forwards it', () => {
    const sut = setup(withKeys);
    // An Anthropic client sends its api key as x-api-key.
    expect(sut.admit({ 'x-api-key': 'strata-acme' }, 'anthropic')).toEqual({ tenant: 'acme', credentials: {} });
    expect(() => sut.admit({ authorization: 'Bearer sk-own', 'x-api-key': 'strata-acme' })).toThrow(StrataError);
  });

  it("without Strata keys: an Anthropic client's x-api-key is passed through", () => {
    expect(setup().admit({ 'x-api-key': 'sk-ant-own' }, 'anthropic')).toEqual({
      tenant: 'default',
      credentials: { 'x-api-key': 'sk-ant-own' },
    });
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
