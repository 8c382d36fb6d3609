import { Logger } from '@nestjs/common';
import { type PurgeSelector, surrogateKeysOfPurge } from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { request } from 'undici';

const FIRST_RETRY_MS = 200;
const CALL_TIMEOUT_MS = 10_000;

interface CdnPurgeCall {
  readonly tenant: string;
  readonly surrogateKeys: readonly string[];
}

/** Sends one webhook call; resolves with the HTTP status (a failure to connect rejects). */
export type WebhookPost = (url: string, body: string) => Promise<number>;

const postJson: WebhookPost = async (url, body) => {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    headersTimeout: CALL_TIMEOUT_MS,
    bodyTimeout: CALL_TIMEOUT_MS,
  });
  await response.body.dump();
  return response.statusCode;
};

/**
 * Tells the CDN in front of public namespaces what a purge removed (`STRATA_CDN_PURGE_URL`): a POST of
 * `{"tenant","surrogateKeys":[…]}` — the keys public answers carry in `Surrogate-Key`/`Cache-Tag` — retried with
 * backoff on errors and 5xx, never awaited by the purge (a CDN that is down delays nothing; it keeps answers at
 * most their remaining TTL). Purges that cannot touch a public namespace send nothing.
 */
export class CdnPurgeWebhook {
  private readonly logger = new Logger('CdnPurge');
  private readonly url: string | undefined;
  private readonly attempts: number;
  private readonly publicNamespaces: ReadonlySet<string>;

  constructor(
    config: StrataConfig,
    private readonly post: WebhookPost = postJson,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.url = config.cdn.purgeUrl;
    this.attempts = config.cdn.purgeAttempts;
    this.publicNamespaces = new Set(
      Object.entries(config.cache.namespaces)
        .filter(([, policy]) => policy.public === true && policy.scope !== 'user')
        .map(([name]) => name),
    );
  }

  /** What this purge would send, or undefined when it cannot touch a public answer (or no webhook is configured). */
  callFor(selector: PurgeSelector, entryIds: readonly string[] = []): CdnPurgeCall | undefined {
    if (this.url === undefined || this.publicNamespaces.size === 0) return undefined;
    if (selector.namespace !== undefined && !this.publicNamespaces.has(selector.namespace)) return undefined;
    const surrogateKeys = surrogateKeysOfPurge(selector, entryIds);
    return surrogateKeys.length === 0 ? undefined : { tenant: selector.tenant, surrogateKeys };
  }

  /** Fire and forget: returns at once; `done` settles when the call succeeded or was given up (for tests). */
  notify(selector: PurgeSelector, entryIds: readonly string[] = []): { done: Promise<boolean> } {
    const call = this.callFor(selector, entryIds);
    if (call === undefined || this.url === undefined) return { done: Promise.resolve(false) };
    return { done: this.send(this.url, JSON.stringify(call)) };
  }

  private async send(url: string, body: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let problem: string;
      try {
        const status = await this.post(url, body);
        if (status < 300) return true;
        problem = `HTTP ${status}`;
        // A 4xx will not get better by retrying.
        if (status < 500 && status !== 429) attempt = this.attempts;
      } catch (error) {
        problem = (error as Error).message;
      }
      if (attempt >= this.attempts) {
        this.logger.warn(`CDN purge webhook failed after ${attempt} attempt(s): ${problem}`);
        return false;
      }
      await this.sleep(FIRST_RETRY_MS * 2 ** (attempt - 1));
    }
    return false;
  }
}
