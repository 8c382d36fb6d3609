/**
 * What a user-scoped namespace adds to each request's key: the user's pseudonym (HMAC-SHA256 of tenant and user id
 * under the deployment salt) and a longer canonical form. Beside it, in the same run and loop, the tenant-scope
 * fingerprint it is compared with. Reports ns/op (median of 7 timed rounds).
 *
 * Usage: npm run build && node dist/bench/user-scope.bench.js
 */
import { fingerprintRequest, userScopeHash } from '@strata/cache-core';
import { measureNsPerOp } from './support/ns-per-op';

const SALT = 'a-salt-of-sixteen-chars';
const request = {
  tenant: 'acme',
  namespace: 'account',
  namespaceVersion: 1,
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are the support assistant of a bank. Answer briefly.' },
    { role: 'user', content: 'What is the balance of my savings account?' },
  ],
  params: { temperature: 0, max_tokens: 256 },
};
const USERS = 1_000;
const userIds = Array.from({ length: USERS }, (_, i) => `user-${i}@example.com`);

const measure = (name: string, iterations: number, fn: (i: number) => unknown): void =>
  measureNsPerOp(name, iterations, fn, 52);

// Both forms build the key input the way the gateway does (a fresh object, `user` present: undefined in tenant scope).
measure('fingerprint, tenant scope (baseline)', 100_000, () => fingerprintRequest({ ...request, user: undefined }));
measure('userScopeHash (HMAC-SHA256 pseudonym)', 100_000, (i) => userScopeHash(SALT, 'acme', userIds[i % USERS]));
measure('fingerprint, user scope (pseudonym + key)', 100_000, (i) =>
  fingerprintRequest({ ...request, user: userScopeHash(SALT, 'acme', userIds[i % USERS]) }),
);
