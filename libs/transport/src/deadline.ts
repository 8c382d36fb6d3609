import { ErrorCode, StrataError } from '@strata/contracts';

/**
 * Settles as `work` does, or rejects with `cache_unavailable` once `timeoutMs` have passed: the caller of
 * another service stops waiting for an answer that would come too late to be of use (the work itself runs on).
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StrataError(ErrorCode.CacheUnavailable, `"${what}" got no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
