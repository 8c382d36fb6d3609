import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { WARM_RECORDINGS, type WarmRecordings } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { CACHE_SERVICE, type CacheService, MAX_ENTRIES_PAGE } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { Counter } from 'prom-client';
import { ProxyReplay } from './proxy-replay';
import { type ReplayOutcome, VersionBumpWarmer, type WarmProgress, type WarmingNamespace } from './version-bump-warmer';

const METRIC = 'strata_warm_requests_total';
const LIST_TIMEOUT_MS = 10_000;

/** The namespaces configured with `warmOnVersionBump` (a user-scoped one never: the config refuses it). */
function warmingNamespaces(config: StrataConfig): Map<string, WarmingNamespace> {
  const found = new Map<string, WarmingNamespace>();
  for (const [name, namespace] of Object.entries(config.cache.namespaces)) {
    const warm = namespace.warmOnVersionBump;
    if (warm !== undefined && namespace.scope !== 'user')
      found.set(name, { version: namespace.version, top: warm.top, ratePerSecond: warm.ratePerSecond });
  }
  return found;
}

/**
 * Starts warm-on-version-bump in the background once the gateway is up (nothing when no namespace opted in), counts
 * each re-asked question in `strata_warm_requests_total{outcome}`, and stops between two questions on shutdown.
 */
@Injectable()
export class VersionBumpWarming implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VersionBumpWarming.name);
  private readonly namespaces: Map<string, WarmingNamespace>;
  private warmer: VersionBumpWarmer | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    private readonly replay: ProxyReplay,
    @Optional() @Inject(WARM_RECORDINGS) private readonly recordings?: WarmRecordings,
  ) {
    this.namespaces = warmingNamespaces(config);
  }

  /** Bumps this gateway warmed since it started (empty when none). */
  status(): readonly WarmProgress[] {
    return this.warmer?.status() ?? [];
  }

  onApplicationBootstrap(): void {
    if (this.namespaces.size === 0 || this.recordings === undefined) return;
    const metrics = StrataMetrics.shared();
    const counter =
      (metrics.registry.getSingleMetric(METRIC) as Counter<'outcome'> | undefined) ??
      new Counter({
        name: METRIC,
        help: 'Questions re-asked after a namespace version bump (warmOnVersionBump), by outcome: warmed, skipped (already cached), failed.',
        labelNames: ['outcome'],
        registers: [metrics.registry],
      });
    const outcomes: ReplayOutcome[] = ['warmed', 'skipped', 'failed'];
    for (const outcome of outcomes) counter.inc({ outcome }, 0);
    const warmer = new VersionBumpWarmer({
      recordings: this.recordings,
      namespaces: this.namespaces,
      mostHit: async (tenant, namespace, cursor) => {
        const page = await this.cache.listEntries(
          {
            tenant,
            namespace,
            sort: 'hits',
            limit: MAX_ENTRIES_PAGE,
            ...(cursor === undefined ? {} : { cursor }),
          },
          { timeoutMs: LIST_TIMEOUT_MS },
        );
        return {
          entries: page.entries
            .filter(({ entry }) => entry.tenant === tenant)
            .map(({ entry }) => ({ id: entry.id, version: entry.namespaceVersion })),
          nextCursor: page.nextCursor,
        };
      },
      replay: (tenant, recording) => this.replay.replay(tenant, recording),
      stopped: () => this.stopped,
      log: (msg, fields) => this.logger.log({ msg, ...fields }),
      onOutcome: (outcome) => counter.inc({ outcome }),
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          if (this.stopped) return resolve();
          const timer = setTimeout(resolve, ms);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
    });
    this.warmer = warmer;
    // In the background: the gateway serves while it warms.
    setImmediate(() => {
      warmer.run().catch((error: unknown) => {
        this.logger.warn({ msg: 'warm-on-version-bump stopped', error: String(error) });
      });
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.wake?.();
  }
}
