import { createHash } from 'node:crypto';
import { loadConfig } from '@strata/config';
import { ErrorCode, type StrataError } from '@strata/contracts';
import { TenantResolver } from './tenant-resolver';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

function setup(): TenantResolver {
  return new TenantResolver(
    loadConfig(
      {},
      {
        auth: {
          apiKeys: [
            { tenant: 'acme', sha256: sha256('key-a') },
            { tenant: 'globex', sha256: sha256('key-b') },
          ],
          adminKeys: [sha256('ops')],
        },
      },
    ),
  );
}

function code(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    return (error as StrataError).code;
  }
  return undefined;
}

describe(TenantResolver.name, () => {
  it('takes X-Strata-Key first, then Authorization: Bearer, then X-API-Key', () => {
    const sut = setup();
    expect(sut.tenantOf({ 'x-strata-key': 'key-a', authorization: 'Bearer key-b', 'x-api-key': 'key-b' })).toEqual({
      tenant: 'acme',
      via: 'x-strata-key',
    });
    expect(sut.tenantOf({ authorization: 'Bearer key-a', 'x-api-key': 'key-b' })).toEqual({
      tenant: 'acme',
      via: 'authorization',
    });
    expect(sut.tenantOf({ 'x-api-key': 'key-b' })).toEqual({ tenant: 'globex', via: 'x-api-key' });
  });

  it('lets the first header present decide: a wrong key there is a 401 even with a valid key further down', () => {
    const sut = setup();
    expect(code(() => sut.tenantOf({ authorization: 'Bearer wrong', 'x-api-key': 'key-a' }))).toBe(
      ErrorCode.Unauthorized,
    );
    expect(code(() => sut.tenantOf({ 'x-strata-key': 'wrong', authorization: 'Bearer key-a' }))).toBe(
      ErrorCode.Unauthorized,
    );
  });

  it('ignores an Authorization that is not a bearer token', () => {
    expect(setup().tenantOf({ authorization: 'Basic a2V5LWE=', 'x-api-key': 'key-a' })).toEqual({
      tenant: 'acme',
      via: 'x-api-key',
    });
  });

  it('knows admin keys, which name no tenant', () => {
    const sut = setup();
    expect(sut.identify({ authorization: 'Bearer ops' })).toEqual({ kind: 'admin', via: 'authorization' });
    expect(code(() => sut.tenantOf({ authorization: 'Bearer ops' }))).toBe(ErrorCode.Unauthorized);
  });

  it('is the default tenant for everyone without keys configured', () => {
    expect(new TenantResolver(loadConfig({})).tenantOf({ authorization: 'Bearer anything' })).toEqual({
      tenant: 'default',
      via: undefined,
    });
  });
});
