import { type SeenVersion, type WarmRecording, type WarmRecordings } from '@strata/cache-core';

export interface MemoryWarmRecordingsOptions {
  /** Recordings kept per tenant; past it the oldest are forgotten. Default 10 000. */
  readonly maxPerTenant?: number;
  /** Epoch milliseconds (tests move it). */
  readonly now?: () => number;
}

interface Kept {
  readonly recording: WarmRecording;
  readonly expiresAt: number;
}

/** Warm recordings of the embedded default: a bounded map per tenant (insertion order = age), lost on restart. */
export class MemoryWarmRecordings implements WarmRecordings {
  private readonly byTenant = new Map<string, Map<string, Kept>>();
  private readonly versions = new Map<string, SeenVersion>();
  private readonly claims = new Map<string, number>();
  private readonly maxPerTenant: number;
  private readonly now: () => number;

  constructor(options: MemoryWarmRecordingsOptions = {}) {
    this.maxPerTenant = options.maxPerTenant ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  record(tenant: string, recording: WarmRecording, ttlSeconds: number): Promise<void> {
    let kept = this.byTenant.get(tenant);
    if (!kept) {
      kept = new Map();
      this.byTenant.set(tenant, kept);
    }
    kept.delete(recording.entryId);
    kept.set(recording.entryId, { recording, expiresAt: this.now() + ttlSeconds * 1000 });
    for (const id of kept.keys()) {
      if (kept.size <= this.maxPerTenant) break;
      kept.delete(id);
    }
    return this.markSeen(tenant, recording.namespace, recording.version, true);
  }

  get(tenant: string, entryIds: readonly string[]): Promise<Map<string, WarmRecording>> {
    const kept = this.byTenant.get(tenant);
    const found = new Map<string, WarmRecording>();
    const now = this.now();
    for (const id of entryIds) {
      const one = kept?.get(id);
      if (one === undefined) continue;
      if (one.expiresAt <= now) kept?.delete(id);
      else found.set(id, one.recording);
    }
    return Promise.resolve(found);
  }

  seenVersions(): Promise<SeenVersion[]> {
    return Promise.resolve([...this.versions.values()]);
  }

  markSeen(tenant: string, namespace: string, version: number, onlyIfAbsent: boolean): Promise<void> {
    const key = JSON.stringify([tenant, namespace]);
    if (!onlyIfAbsent || !this.versions.has(key)) this.versions.set(key, { tenant, namespace, version });
    return Promise.resolve();
  }

  claim(tenant: string, namespace: string, version: number, ttlSeconds: number): Promise<boolean> {
    const key = JSON.stringify([tenant, namespace, version]);
    const now = this.now();
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.claims.set(key, now + ttlSeconds * 1000);
    return Promise.resolve(true);
  }
}
