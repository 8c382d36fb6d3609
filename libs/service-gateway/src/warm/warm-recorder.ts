import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type NamespacePolicy, type RequestApi, WARM_RECORDINGS, type WarmRecordings } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';

/** The client's request behind a stored answer, as the proxy parsed it. */
export interface StoredRequest {
  readonly api: RequestApi;
  /** The client's body (parsed JSON); credentials travel in headers, never here. */
  readonly body: unknown;
  /** Headers the API forwards upstream as they are (API version, beta flags). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Keeps the request behind each answer stored in a namespace that warms on version bumps (`warmOnVersionBump`),
 * beside the entry and as long as it lives, so a later version can ask it again. Called from the store queue
 * after a store succeeded — never on the lookup path — and never waited for: a failure is logged, not raised.
 */
@Injectable()
export class WarmRecorder {
  private readonly logger = new Logger(WarmRecorder.name);
  private readonly warming: ReadonlySet<string>;
  private lastFailureLog = 0;

  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    @Optional() @Inject(WARM_RECORDINGS) private readonly recordings?: WarmRecordings,
  ) {
    this.warming = new Set(
      Object.entries(config.cache.namespaces)
        .filter(([, namespace]) => namespace.warmOnVersionBump !== undefined && namespace.scope !== 'user')
        .map(([name]) => name),
    );
  }

  /** Whether answers of this namespace are recorded (a user-scoped namespace never is). */
  records(policy: NamespacePolicy): boolean {
    return this.recordings !== undefined && policy.scope !== 'user' && this.warming.has(policy.name);
  }

  stored(
    tenant: string,
    policy: NamespacePolicy,
    entryId: string,
    tags: readonly string[],
    ttlSeconds: number,
    request: StoredRequest,
  ): void {
    if (!this.records(policy) || this.recordings === undefined) return;
    const recording = {
      entryId,
      namespace: policy.name,
      version: policy.version,
      api: request.api,
      body: JSON.stringify(request.body),
      tags: [...tags],
      ...(Object.keys(request.headers).length === 0 ? {} : { headers: { ...request.headers } }),
    };
    this.recordings.record(tenant, recording, ttlSeconds).catch((error: unknown) => {
      const now = Date.now();
      if (now - this.lastFailureLog < 10_000) return;
      this.lastFailureLog = now;
      this.logger.warn({ msg: 'could not record a request for warm-on-version-bump', error: String(error) });
    });
  }
}
