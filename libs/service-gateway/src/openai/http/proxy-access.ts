import { type IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { type RequestApi } from '@strata/cache-core';
import { ErrorCode, StrataError } from '@strata/contracts';
import { type Identity } from '../../auth/tenant-resolver';
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

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Who is calling a proxy endpoint, and with which upstream credentials. The access guard has already
 * identified the caller (and applied its rate limit): with Strata keys, from `X-Strata-Key`, else
 * `Authorization: Bearer` (an OpenAI client's api key), else `X-API-Key` (an Anthropic client's). The
 * header that carried the Strata key is never forwarded; the client's other credential headers are,
 * when no key is configured for the upstream — so a client that brings its own upstream key sends the
 * Strata key as `X-Strata-Key`. With no Strata keys, every caller is the default tenant and its
 * credentials are passed through.
 */
@Injectable()
export class ProxyAccess {
  caller(identity: Identity, headers: IncomingHttpHeaders, api: RequestApi = 'openai'): Caller {
    if (identity.kind !== 'tenant')
      throw new StrataError(
        ErrorCode.Unauthorized,
        'admin keys only read /v1/cache/stats and /metrics; use a tenant key',
      );
    const credentials: Record<string, string> = {};
    for (const name of UPSTREAM_CREDENTIAL_HEADERS[api]) {
      const value = single(headers[name]);
      if (value !== undefined && name !== identity.via) credentials[name] = value;
    }
    return { tenant: identity.tenant, credentials };
  }
}
