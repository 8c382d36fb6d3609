import { type ClientProxy } from '@nestjs/microservices';
import { ErrorCode, StrataError } from '@strata/contracts';
import { TimeoutError, firstValueFrom, timeout } from 'rxjs';
import { envelope } from './message-envelope';

/**
 * Sends a request (with the current correlation id, and `key` as its partition key when given) and awaits
 * its reply within `timeoutMs`. Errors come back as `StrataError`: the peer's own error when it sent one,
 * `cache_unavailable` on timeout or transport failure.
 */
export async function requestReply<T>(client: ClientProxy, pattern: string, data: unknown, timeoutMs: number, key?: string): Promise<T> {
  try {
    return await firstValueFrom(client.send<T>(pattern, envelope(data, key)).pipe(timeout({ first: timeoutMs })));
  } catch (error) {
    if (error instanceof StrataError) throw error;
    if (error instanceof TimeoutError) {
      throw new StrataError(ErrorCode.CacheUnavailable, `"${pattern}" got no reply within ${timeoutMs} ms`);
    }
    const peer = StrataError.fromPayload(error);
    if (peer) throw peer;
    throw new StrataError(ErrorCode.CacheUnavailable, `"${pattern}" failed: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error).message);
  return String(error);
}
