import { eventually as poll } from '@strata/testing';

/** The shared poller (`@strata/testing`) with the longer default end-to-end tests need: separate processes. */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  return poll(check, timeoutMs, intervalMs);
}
