import { ErrorCode, StrataError } from '@strata/contracts';

/**
 * Settles as `work` does, or rejects with `cache_unavailable` once `timeoutMs` have passed: the caller of
 * another service stops waiting for an answer that would come too late to be of use (the work itself runs on).
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  // One promise settled by whichever comes first (every call of the embedded default's direct adapters makes one).
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StrataError(ErrorCode.CacheUnavailable, `"${what}" got no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        // Settles as `work` did: rejected, with its reason.
        resolve(work);
      },
    );
  });
}
