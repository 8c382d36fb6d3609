import { Logger } from '@nestjs/common';
import { type EmbeddingErrorCode, type EmbeddingTelemetry } from '@strata/embedding';
import { StrataMetrics } from '@strata/observability';

const LOG_EVERY_MS = 10_000;

/**
 * Binds the embedding service's reports to Prometheus metrics and rate-limited warnings, and remembers
 * how the provider's last call ended (readiness shows a provider that is failing as degraded).
 */
export class MetricsEmbeddingTelemetry implements EmbeddingTelemetry {
  private readonly metrics = StrataMetrics.shared();
  private readonly logger = new Logger('Embedding');
  private lastWarned = 0;
  private lastProviderFailure: string | undefined;
  /** The children every miss touches, bound once (no label hashing per text embedded). */
  private readonly cacheHit = this.metrics.embeddingCache.labels({ outcome: 'hit' });
  private readonly cacheMiss = this.metrics.embeddingCache.labels({ outcome: 'miss' });
  private readonly providerOk = this.metrics.embeddingProviderCalls.labels({ outcome: 'ok' });

  /** Rejects while the provider's most recent call failed (none has succeeded since). */
  providerHealth(): Promise<void> {
    return this.lastProviderFailure === undefined
      ? Promise.resolve()
      : Promise.reject(new Error(`the last embedding provider call failed: ${this.lastProviderFailure}`));
  }

  cacheLookup(hits: number, misses: number): void {
    if (hits) this.cacheHit.inc(hits);
    if (misses) this.cacheMiss.inc(misses);
  }

  cacheError(operation: 'get' | 'set', error: unknown): void {
    this.metrics.embeddingCache.inc({ outcome: 'error' });
    this.warn(
      `embedding cache ${operation} failed, continuing without it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  coalesced(texts: number): void {
    this.metrics.embeddingCache.inc({ outcome: 'coalesced' }, texts);
  }

  providerCall(texts: number, seconds: number, outcome: 'ok' | EmbeddingErrorCode): void {
    if (outcome === 'ok') this.providerOk.inc();
    else this.metrics.embeddingProviderCalls.inc({ outcome });
    this.metrics.embeddingProviderDuration.observe(seconds);
    this.lastProviderFailure = outcome === 'ok' ? undefined : outcome;
    if (outcome === 'ok') this.metrics.embeddingProviderTexts.inc(texts);
    else this.warn(`embedding provider call of ${texts} text(s) failed: ${outcome}`);
  }

  backlogEstimateFailed(error: unknown): void {
    this.warn(
      `embedding provider backlog estimate failed, queuing without one: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarned < LOG_EVERY_MS) return;
    this.lastWarned = now;
    this.logger.warn(message);
  }
}
