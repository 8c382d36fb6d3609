import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';

/** The headers a Strata key may come in, in the order they are looked at: all `identify` reads of a request. */
export const KEY_HEADERS: readonly string[] = ['x-strata-key', 'authorization', 'x-api-key'];
export type KeyHeader = 'x-strata-key' | 'authorization' | 'x-api-key';

/** Who a request comes from: a tenant, or an operator holding an admin key. */
export type Identity =
  | {
      readonly kind: 'tenant';
      readonly tenant: string;
      /** Where its key was (none in keyless mode). */ readonly via: KeyHeader | undefined;
    }
  | { readonly kind: 'admin'; readonly via: KeyHeader };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function bearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  return match?.[1];
}

/**
 * The one rule that says who is calling, for every endpoint: the key is taken from `X-Strata-Key`, else
 * `Authorization: Bearer`, else `X-API-Key` — the first present decides (a wrong key there is a 401 even
 * when another header holds a valid one). Keys are configured as SHA-256 hashes; the presented key is
 * hashed and looked up, so plain keys are never held. With no keys configured every caller is the
 * default tenant.
 */
@Injectable()
export class TenantResolver {
  private readonly tenantsByHash: ReadonlyMap<string, string>;
  private readonly adminHashes: ReadonlySet<string>;
  private readonly defaultTenant: string;

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.tenantsByHash = new Map(config.auth.apiKeys.map((k) => [k.sha256, k.tenant]));
    this.adminHashes = new Set(config.auth.adminKeys);
    this.defaultTenant = config.auth.defaultTenant;
  }

  get authRequired(): boolean {
    return this.tenantsByHash.size > 0;
  }

  /** The presented key and the header it came in, by the precedence above; undefined when none is. */
  presentedKey(headers: IncomingHttpHeaders): { readonly via: KeyHeader; readonly key: string } | undefined {
    const strataKey = single(headers['x-strata-key'])?.trim();
    if (strataKey) return { via: 'x-strata-key', key: strataKey };
    const authorization = bearer(single(headers.authorization));
    if (authorization) return { via: 'authorization', key: authorization };
    const apiKey = single(headers['x-api-key'])?.trim();
    if (apiKey) return { via: 'x-api-key', key: apiKey };
    return undefined;
  }

  /** Who is calling; throws `unauthorized` for a missing or unknown key when keys are configured. */
  identify(headers: IncomingHttpHeaders): Identity {
    if (!this.authRequired) return { kind: 'tenant', tenant: this.defaultTenant, via: undefined };
    const presented = this.presentedKey(headers);
    if (!presented)
      throw new StrataError(
        ErrorCode.Unauthorized,
        'missing API key: send "Authorization: Bearer <key>" (or X-Strata-Key)',
      );
    const hash = createHash('sha256').update(presented.key).digest('hex');
    const tenant = this.tenantsByHash.get(hash);
    if (tenant !== undefined) return { kind: 'tenant', tenant, via: presented.via };
    if (this.adminHashes.has(hash)) return { kind: 'admin', via: presented.via };
    throw new StrataError(ErrorCode.Unauthorized, 'unknown API key');
  }

  /** The calling tenant; an admin key is refused here (it only reads stats and metrics). */
  tenantOf(headers: IncomingHttpHeaders): { readonly tenant: string; readonly via: KeyHeader | undefined } {
    const identity = this.identify(headers);
    if (identity.kind === 'admin')
      throw new StrataError(
        ErrorCode.Unauthorized,
        'admin keys only read /v1/cache/stats and /metrics; use a tenant key',
      );
    return { tenant: identity.tenant, via: identity.via };
  }
}
