import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';

type HeaderValue = string | string[] | undefined;

/**
 * Maps an API key to its tenant. Keys are configured as SHA-256 hashes; the presented key is hashed and
 * looked up, so plain keys are never held. With no keys configured every caller is the default tenant.
 */
@Injectable()
export class TenantResolver {
  private readonly tenantsByHash: ReadonlyMap<string, string>;
  private readonly defaultTenant: string;

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.tenantsByHash = new Map(config.auth.apiKeys.map((k) => [k.sha256, k.tenant]));
    this.defaultTenant = config.auth.defaultTenant;
  }

  get authRequired(): boolean {
    return this.tenantsByHash.size > 0;
  }

  /** `Authorization: Bearer <key>` or `X-API-Key: <key>`; throws `unauthorized` for a missing or unknown key. */
  resolve(authorization: HeaderValue, apiKeyHeader: HeaderValue): string {
    if (!this.authRequired) return this.defaultTenant;
    const key = bearer(single(authorization)) ?? single(apiKeyHeader);
    if (!key) throw new StrataError(ErrorCode.Unauthorized, 'missing API key: send "Authorization: Bearer <key>"');
    const tenant = this.tenantsByHash.get(createHash('sha256').update(key).digest('hex'));
    if (!tenant) throw new StrataError(ErrorCode.Unauthorized, 'unknown API key');
    return tenant;
  }
}

function single(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function bearer(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1]?.trim();
}
