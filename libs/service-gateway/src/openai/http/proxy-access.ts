import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { type RequestApi } from '@strata/cache-core';
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

/** Client headers that authenticate at each API's upstream, or select an account there. */
const UPSTREAM_CREDENTIAL_HEADERS: Record<RequestApi, readonly string[]> = {
  openai: ['authorization', 'api-key', 'openai-organization', 'openai-project'],
  anthropic: ['x-api-key', 'authorization'],
};

/** Where a Strata key is read from, first match wins (the same order as every other endpoint). */
const STRATA_KEY_HEADERS = ['x-strata-key', 'authorization', 'x-api-key'] as const;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Who is calling a proxy endpoint, and with which upstream credentials.
 *
 * With Strata API keys configured, the Strata key is read from `X-Strata-Key`, else `Authorization:
 * Bearer`, else `X-API-Key` — so an OpenAI client's api key (a bearer token) or an Anthropic client's
 * (`x-api-key`) can be the Strata key — and the header that carried it is never forwarded. A client
 * that brings its own upstream key sends the Strata key as `X-Strata-Key` and its upstream key as its
 * SDK does. With no Strata keys, every caller is the default tenant and its credentials are passed
 * through. A key configured for the upstream always replaces the client's credentials. Then the
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

  admit(headers: IncomingHttpHeaders, api: RequestApi = 'openai'): Caller {
    let tenant: string;
    let consumed: string | undefined;
    if (!this.tenants.authRequired) {
      tenant = this.tenants.resolve(undefined, undefined);
    } else {
      consumed = STRATA_KEY_HEADERS.find((name) => single(headers[name]) !== undefined);
      const value = consumed === undefined ? undefined : single(headers[consumed]);
      tenant =
        consumed === 'authorization' ? this.tenants.resolve(value, undefined) : this.tenants.resolve(undefined, value);
    }
    const credentials: Record<string, string> = {};
    for (const name of UPSTREAM_CREDENTIAL_HEADERS[api]) {
      const value = single(headers[name]);
      if (value !== undefined && name !== consumed) credentials[name] = value;
    }
    const decision = this.limiter.take(tenant);
    if (!decision.allowed) {
      this.metrics.rateLimited.inc({ tenant });
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
    return { tenant, credentials };
  }
}
