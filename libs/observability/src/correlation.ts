import { AsyncLocalStorage } from 'node:async_hooks';

/** The header that carries the correlation id over HTTP (in and out) and on Kafka messages. */
export const CORRELATION_HEADER = 'x-request-id';

const storage = new AsyncLocalStorage<string>();

/**
 * The id of the request being served, across every await of its handling: taken from the HTTP request
 * (`X-Request-Id`, or a new one), sent on the Kafka messages it causes, restored by the consuming service.
 * Log lines carry it as `requestId`.
 */
export const Correlation = {
  id(): string | undefined {
    return storage.getStore();
  },
  run<T>(id: string, fn: () => T): T {
    return storage.run(id, fn);
  },
  /** Sets the id for the rest of the current asynchronous execution (an HTTP hook, before the handler). */
  enter(id: string): void {
    storage.enterWith(id);
  },
};
