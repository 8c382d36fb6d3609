import { LRUCache } from 'lru-cache';

/** The answer a request got from the cache: enough to name the (query, entry) pairing in a later verdict. */
interface AnsweredRequest {
  /** The root entry that answered (`x-strata-entry-id`). */
  readonly entryId: string;
  /** The exact key of the request that was answered. */
  readonly exactKey: string;
}

/** How long a request id can be given feedback by. */
const REMEMBER_MS = 3_600_000;

/**
 * Recent cache answers of this gateway by (tenant, request id), so that feedback can name an answer by the
 * `X-Request-Id` the client saw. Bounded (least recently used dropped) and per replica: feedback by request id
 * goes to the gateway that answered, feedback by entry id to any.
 */
export class AnsweredRequests {
  private readonly answers: LRUCache<string, AnsweredRequest>;

  constructor(maxEntries: number) {
    this.answers = new LRUCache({ max: maxEntries, ttl: REMEMBER_MS });
  }

  remember(tenant: string, requestId: string | undefined, answer: AnsweredRequest): void {
    if (requestId !== undefined) this.answers.set(`${tenant}\u0000${requestId}`, answer);
  }

  /** The tenant's answer with this request id (another tenant's request ids are never found). */
  find(tenant: string, requestId: string): AnsweredRequest | undefined {
    return this.answers.get(`${tenant}\u0000${requestId}`);
  }
}
