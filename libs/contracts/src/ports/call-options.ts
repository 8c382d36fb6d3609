/** How a caller waits for another service: past `timeoutMs` the answer is of no use to it (`cache_unavailable`). */
export interface CallOptions {
  readonly timeoutMs: number;
}
