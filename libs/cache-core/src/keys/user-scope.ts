import { createHmac } from 'node:crypto';
import { RESERVED_TAG_PREFIX } from '../domain/cache-entry';

/**
 * The pseudonym of a user in a user-scoped namespace: HMAC-SHA256 of tenant and user id under the
 * deployment's salt. It is what keys, contexts and tags carry; the user id itself is never stored or
 * logged. The tenant is part of it, so one user id in two tenants is two unrelated pseudonyms.
 */
export function userScopeHash(salt: string, tenant: string, userId: string): string {
  return createHmac('sha256', salt).update(tenant).update('\u0000').update(userId).digest('hex');
}

/** Every entry of a user-scoped namespace carries its user's tag, so "forget this user" is a tag purge in every tier. */
export function userTag(userHash: string): string {
  return `${RESERVED_TAG_PREFIX}user:${userHash}`;
}
