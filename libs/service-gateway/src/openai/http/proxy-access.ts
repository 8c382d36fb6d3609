import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { TenantResolver } from '../../auth/tenant-resolver';
import { TokenBucketLimiter, configuredLimits } from '../rate-limit/token-bucket-limiter';
import { type ClientCredentials } from '../upstream/upstream-client';

/** A 429 that tells the client when to come back. */
export class RateLimitedError extends StrataError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RateLimited, `rate limit exceeded; retry in ${retryAfterSeconds} s`);
  }
}

export interface Caller {
  readonly tenant: string;
  /** The client's own upstream credentials, sent upstream only when no key is configured for the target. */
  readonly credentials: ClientCredentials;
}

/** Client headers that authenticate at an OpenAI-compatible upstream, or select an account there. */
const UPSTREAM_ACCOUNT_HEADERS = ['api-key', 'openai-organization', 'openai-project'] as const;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Who is calling the OpenAI-compatible endpoints, and with which upstream credentials.
 *
 * With Strata API keys configured, the Strata key is the client's bearer token (`Authorization: Bearer
 * <strata key>`, what an OpenAI client sends as its api key) and is never forwarded; a client that
 * wants to use its own upstream key sends the Strata key as `X-API-Key` and its upstream key as
 * `Authorization`. With no Strata keys, every caller is the default tenant and its `Authorization` is
 * passed through. A key configured for the upstream always replaces the client's credentials. Then the
 * tenant's rate limit applies.
 */
@Injectable()
export class ProxyAccess {
  private readonly limiter: TokenBucketLimiter;
  private readonly metrics = StrataMetrics.shared();

  constructor(
    private readonly tenants: TenantResolver,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.limiter = new TokenBucketLimiter(configuredLimits(config.rateLimit));
  }

  admit(headers: IncomingHttpHeaders): Caller {
    const authorization = single(headers.authorization);
    const strataKey = single(headers['x-api-key']);
    const credentials: Record<string, string> = {};
    let tenant: string;
    if (!this.tenants.authRequired) {
      tenant = this.tenants.resolve(undefined, undefined);
      if (authorization !== undefined) credentials['authorization'] = authorization;
    } else if (strataKey !== undefined) {
      tenant = this.tenants.resolve(undefined, strataKey);
      if (authorization !== undefined) credentials['authorization'] = authorization;
    } else {
      tenant = this.tenants.resolve(authorization, undefined);
    }
    for (const name of UPSTREAM_ACCOUNT_HEADERS) {
      const value = single(headers[name]);
      if (value !== undefined) credentials[name] = value;
    }
    const decision = this.limiter.take(tenant);
    if (!decision.allowed) {
      this.metrics.rateLimited.inc({ tenant });
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
    return { tenant, credentials };
  }
}
