import { type IncomingHttpHeaders } from 'node:http';
import { type RequestApi } from '@strata/cache-core';

/** Longest user id taken from a request (the API's `user` field allows the same). */
const MAX_USER_CHARS = 256;

function usable(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_USER_CHARS ? value : undefined;
}

/**
 * The end user a proxied request is for, for user-scoped namespaces: the `X-Strata-User` header, else the API's own
 * field (OpenAI `user`, Anthropic `metadata.user_id`). Undefined when none is given (or it is not a usable id): a
 * user-scoped request then bypasses the cache. The id only ever leaves here hashed.
 */
export function requestUser(
  api: RequestApi,
  body: Readonly<Record<string, unknown>>,
  headers: IncomingHttpHeaders,
): string | undefined {
  const header = headers['x-strata-user'];
  const fromHeader = usable(Array.isArray(header) ? header[0] : header);
  if (fromHeader !== undefined) return fromHeader;
  switch (api) {
    case 'openai':
      return usable(body['user']);
    case 'anthropic': {
      const metadata = body['metadata'];
      return metadata !== null && typeof metadata === 'object'
        ? usable((metadata as Record<string, unknown>)['user_id'])
        : undefined;
    }
  }
}
