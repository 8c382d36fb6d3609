import { type WarmRecording, type WarmRecordings } from '@strata/cache-core';

/** How one re-asked question ended: answered upstream and queued to be stored, already answered by the cache, or not. */
export type ReplayOutcome = 'warmed' | 'skipped' | 'failed';

/** A namespace that warms on version bumps, as configured. */
export interface WarmingNamespace {
  readonly version: number;
  readonly top: number;
  readonly ratePerSecond: number;
}

/** One bump being warmed (or done), as `/v1/cache/stats` and the logs show it. */
export interface WarmProgress {
  readonly tenant: string;
  readonly namespace: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Questions chosen (at most `top`). */
  total: number;
  warmed: number;
  failed: number;
  skipped: number;
  done: boolean;
}

export interface VersionBumpWarmerDeps {
  readonly recordings: WarmRecordings;
  /** The namespaces configured to warm on bumps, by name. */
  readonly namespaces: ReadonlyMap<string, WarmingNamespace>;
  /**
   * One page of a tenant's live entries of a namespace, most hit first: their ids and the version each was stored
   * under. `cursor` undefined: the first page; the reply's `nextCursor` null: the last one.
   */
  readonly mostHit: (
    tenant: string,
    namespace: string,
    cursor: string | undefined,
  ) => Promise<{ entries: { id: string; version: number }[]; nextCursor: string | null }>;
  /** Asks a recorded question again through the gateway's own proxy, under the namespace's current version. */
  readonly replay: (tenant: string, recording: WarmRecording) => Promise<ReplayOutcome>;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
  readonly onOutcome: (outcome: ReplayOutcome) => void;
  /** Waits `ms` (timers in production; tests pass time by hand). */
  readonly sleep: (ms: number) => Promise<void>;
  /** True once the gateway is shutting down: the warming stops before the next question. */
  readonly stopped?: () => boolean;
  /** A claim outlives the warming it guards (another replica starting meanwhile must not warm the bump again). */
  readonly claimTtlSeconds?: number;
}

/** Entries examined at most per wanted question: the most hit of other versions are skipped, not searched for ever. */
const EXAMINE_PER_WANTED = 20;

/**
 * Warm-on-version-bump: at start-up, every (tenant, namespace) whose configured version is newer than the version
 * last seen for it has the last-seen version's most hit questions asked again (through the proxy, so each goes
 * upstream and is stored under the new version), one after another at the namespace's rate. One replica per bump
 * does it (a claim in the shared store); the new version is then remembered as seen.
 */
export class VersionBumpWarmer {
  private readonly progress: WarmProgress[] = [];

  constructor(private readonly deps: VersionBumpWarmerDeps) {}

  /** Bumps warmed by this process (in progress or done). */
  status(): readonly WarmProgress[] {
    return this.progress;
  }

  /** Finds the bumps and warms them one namespace after another; resolves when all are done. */
  async run(): Promise<void> {
    const { recordings, namespaces } = this.deps;
    for (const seen of await recordings.seenVersions()) {
      if (this.deps.stopped?.() === true) return;
      const configured = namespaces.get(seen.namespace);
      if (configured === undefined || configured.version <= seen.version) continue;
      const claimed = await recordings.claim(
        seen.tenant,
        seen.namespace,
        configured.version,
        this.deps.claimTtlSeconds ?? 24 * 3600,
      );
      if (!claimed) {
        this.deps.log('version bump already warmed by another gateway', {
          tenant: seen.tenant,
          namespace: seen.namespace,
          version: configured.version,
        });
        continue;
      }
      await recordings.markSeen(seen.tenant, seen.namespace, configured.version, false);
      await this.warm(seen.tenant, seen.namespace, seen.version, configured);
    }
  }

  private async warm(tenant: string, namespace: string, fromVersion: number, to: WarmingNamespace): Promise<void> {
    const progress: WarmProgress = {
      tenant,
      namespace,
      fromVersion,
      toVersion: to.version,
      total: 0,
      warmed: 0,
      failed: 0,
      skipped: 0,
      done: false,
    };
    this.progress.push(progress);
    const chosen = await this.choose(tenant, namespace, fromVersion, to.top);
    progress.total = chosen.length;
    this.deps.log('warming a namespace version bump', { ...fieldsOf(progress), ratePerSecond: to.ratePerSecond });
    const intervalMs = 1000 / to.ratePerSecond;
    const step = Math.max(1, Math.ceil(chosen.length / 10));
    for (const [i, recording] of chosen.entries()) {
      if (i > 0) await this.deps.sleep(intervalMs);
      if (this.deps.stopped?.() === true) break;
      let outcome: ReplayOutcome;
      try {
        outcome = await this.deps.replay(tenant, recording);
      } catch {
        outcome = 'failed';
      }
      progress[outcome]++;
      this.deps.onOutcome(outcome);
      if ((i + 1) % step === 0 && i + 1 < chosen.length)
        this.deps.log('warming a namespace version bump', fieldsOf(progress));
    }
    progress.done = this.deps.stopped?.() !== true;
    this.deps.log(
      progress.done ? 'warmed a namespace version bump' : 'warming stopped by shutdown',
      fieldsOf(progress),
    );
  }

  /** The recorded questions of the `top` most hit live entries stored under `version`, most hit first. */
  private async choose(tenant: string, namespace: string, version: number, top: number): Promise<WarmRecording[]> {
    const chosen: WarmRecording[] = [];
    let cursor: string | undefined;
    let examined = 0;
    while (chosen.length < top && examined < top * EXAMINE_PER_WANTED) {
      const page = await this.deps.mostHit(tenant, namespace, cursor);
      examined += page.entries.length;
      const ids = page.entries.filter((e) => e.version === version).map((e) => e.id);
      const recorded = await this.deps.recordings.get(tenant, ids);
      for (const id of ids) {
        const recording = recorded.get(id);
        if (recording !== undefined && recording.version === version && chosen.length < top) chosen.push(recording);
      }
      if (page.nextCursor === null || page.entries.length === 0) break;
      cursor = page.nextCursor;
    }
    return chosen;
  }
}

function fieldsOf(progress: WarmProgress): Record<string, unknown> {
  return { ...progress };
}
