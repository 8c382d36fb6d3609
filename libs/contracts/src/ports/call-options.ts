/**
 * The request a call is made for, carried explicitly from the HTTP edge (its `X-Request-Id`) through the ports to the
 * services that serve it (the `x-request-id` header of every Kafka message it causes): their onward calls and log lines
 * name it. Absent for work no request caused (timers, background flushes).
 */
export interface RequestContext {
  readonly requestId?: string | undefined;
}

/** How a caller waits for another service: past `timeoutMs` the answer is of no use to it (`cache_unavailable`). */
export interface CallOptions extends RequestContext {
  readonly timeoutMs: number;
}
