import { StrataError } from '@strata/contracts';
import { readScope } from './request-identity';

describe(readScope.name, () => {
  const acme = { kind: 'tenant', tenant: 'acme', via: 'authorization' } as const;
  const admin = { kind: 'admin', via: 'authorization' } as const;

  it("scopes a tenant key to its own tenant, named or not, and refuses another tenant's", () => {
    expect(readScope(acme, undefined)).toBe('acme');
    expect(readScope(acme, 'acme')).toBe('acme');
    expect(() => readScope(acme, 'globex')).toThrow(StrataError);
  });

  it('scopes an admin key to the tenant it names, or to none', () => {
    expect(readScope(admin, 'globex')).toBe('globex');
    expect(readScope(admin, undefined)).toBeUndefined();
  });
});
