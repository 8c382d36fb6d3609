import { fingerprintRequest } from './request-fingerprint';
import { userScopeHash, userTag } from './user-scope';

describe('user scope keys', () => {
  const request = {
    tenant: 'acme',
    namespace: 'account',
    namespaceVersion: 1,
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is my current balance?' }],
    params: { temperature: 0 },
  };

  it('derives one pseudonym per tenant, user and salt, none of which shows the user id', () => {
    const alice = userScopeHash('salt-1', 'acme', 'alice@example.com');
    expect(alice).toMatch(/^[0-9a-f]{64}$/);
    expect(alice).not.toContain('alice');
    expect(userScopeHash('salt-1', 'acme', 'alice@example.com')).toBe(alice);
    expect(userScopeHash('salt-1', 'acme', 'bob@example.com')).not.toBe(alice);
    expect(userScopeHash('salt-1', 'globex', 'alice@example.com')).not.toBe(alice);
    expect(userScopeHash('salt-2', 'acme', 'alice@example.com')).not.toBe(alice);
    // The separator keeps (tenant, user) pairs apart that would concatenate to the same text.
    expect(userScopeHash('s', 'ab', 'c')).not.toBe(userScopeHash('s', 'a', 'bc'));
  });

  it('gives two users different exact keys and different semantic partitions for the same question', () => {
    const alice = fingerprintRequest({ ...request, user: userScopeHash('s', 'acme', 'alice') });
    const bob = fingerprintRequest({ ...request, user: userScopeHash('s', 'acme', 'bob') });
    const tenantWide = fingerprintRequest(request);
    expect(alice.exactKey).not.toBe(bob.exactKey);
    expect(alice.contextHash).not.toBe(bob.contextHash);
    expect(alice.exactKey).not.toBe(tenantWide.exactKey);
    expect(alice.contextHash).not.toBe(tenantWide.contextHash);
    expect(alice.query).toBe(tenantWide.query);
  });

  it('keys a request without a user exactly as the tenant scope does', () => {
    expect(fingerprintRequest({ ...request, user: undefined })).toEqual(fingerprintRequest(request));
  });

  it('tags entries with a reserved tag users cannot give themselves', () => {
    expect(userTag('ab12')).toBe('$user:ab12');
  });
});
