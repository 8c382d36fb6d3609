/**
 * What a user-scoped namespace adds to each request's key: the user's pseudonym (HMAC-SHA256 of tenant and user id
 * under the deployment salt) and a longer canonical form. Beside it, in the same run and loop, the tenant-scope
 * fingerprint it is compared with. Reports ns/op (median of 7 timed rounds).
 *
 * Usage: npm run build && node dist/bench/user-scope.bench.js
 */
import { fingerprintRequest, userScopeHash } from '@strata/cache-core';

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

function measure(name: string, iterations: number, fn: (i: number) => unknown): void {
  for (let i = 0; i < iterations / 10; i++) fn(i); // warm up (JIT)
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[3] ?? 0;
  process.stdout.write(
    `${name.padEnd(52)} ${median.toFixed(0).padStart(7)} ns/op   ${(1e9 / median).toFixed(0).padStart(9)} op/s\n`,
  );
}

// Both forms build the key input the way the gateway does (a fresh object, `user` present: undefined in tenant scope).
measure('fingerprint, tenant scope (baseline)', 100_000, () => fingerprintRequest({ ...request, user: undefined }));
measure('userScopeHash (HMAC-SHA256 pseudonym)', 100_000, (i) => userScopeHash(SALT, 'acme', userIds[i % USERS]));
measure('fingerprint, user scope (pseudonym + key)', 100_000, (i) =>
  fingerprintRequest({ ...request, user: userScopeHash(SALT, 'acme', userIds[i % USERS]) }),
);
