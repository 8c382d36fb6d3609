import { StrataError } from '@strata/contracts';
import { ProxyAccess } from './proxy-access';

describe(ProxyAccess.name, () => {
  const sut = new ProxyAccess();
  const acme = (via: 'x-strata-key' | 'authorization' | 'x-api-key' | undefined) => ({
    kind: 'tenant' as const,
    tenant: 'acme',
    via,
  });

  it('without Strata keys: the client’s credentials and account headers are passed through', () => {
    expect(sut.caller(acme(undefined), { authorization: 'Bearer sk-own', 'openai-organization': 'org-1' })).toEqual({
      tenant: 'acme',
      credentials: { authorization: 'Bearer sk-own', 'openai-organization': 'org-1' },
    });
    expect(sut.caller(acme(undefined), { 'x-api-key': 'sk-ant-own' }, 'anthropic')).toEqual({
      tenant: 'acme',
      credentials: { 'x-api-key': 'sk-ant-own' },
    });
  });

  it('never forwards the header that carried the Strata key', () => {
    expect(sut.caller(acme('authorization'), { authorization: 'Bearer strata-acme' })).toEqual({
      tenant: 'acme',
      credentials: {},
    });
    // An Anthropic client sends its api key (here the Strata key) as x-api-key.
    expect(
      sut.caller(acme('x-api-key'), { 'x-api-key': 'strata-acme', 'anthropic-version': '2023-06-01' }, 'anthropic'),
    ).toEqual({ tenant: 'acme', credentials: {} });
  });

  it('lets a client bring its own upstream key beside the Strata key in X-Strata-Key', () => {
    expect(sut.caller(acme('x-strata-key'), { 'x-strata-key': 'strata-acme', authorization: 'Bearer sk-own' })).toEqual(
      {
        tenant: 'acme',
        credentials: { authorization: 'Bearer sk-own' },
      },
    );
    expect(
      sut.caller(acme('x-strata-key'), { 'x-strata-key': 'strata-acme', 'x-api-key': 'sk-ant-own' }, 'anthropic'),
    ).toEqual({
      tenant: 'acme',
      credentials: { 'x-api-key': 'sk-ant-own' },
    });
  });

  it('refuses an admin key on the proxy', () => {
    expect(() => sut.caller({ kind: 'admin', via: 'authorization' }, {})).toThrow(StrataError);
  });
});
