import { userScopeHash, userTag } from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';

/**
 * The tag that selects every entry of one user ("forget this user"): the pseudonym the gateway keyed and tagged
 * their entries with. Without a salt no namespace can be user-scoped (the config refuses it), so an erasure
 * event there is a mistake worth dead-lettering rather than a silent no-op.
 */
export function userPurgeTag(config: StrataConfig, tenant: string, user: string): string {
  const salt = config.cache.userIdSalt;
  if (salt === undefined)
    throw new StrataError(
      ErrorCode.InvalidRequest,
      'a purge by user needs STRATA_USER_ID_SALT (the salt the gateway hashes user ids with) on this service',
    );
  return userTag(userScopeHash(salt, tenant, user));
}
