export type TemperaturePolicy = 'deterministic-only' | 'always' | 'never';

/** How sure a semantic hit must be: a name for a calibrated similarity threshold. */
export type SemanticPrecision = 'strict' | 'balanced' | 'lenient';

/**
 * The presets' thresholds for the local GloVe model (another model's come with its calibration), chosen by `node tools/semantic-eval/run.js` on the tuning
 * groups of PAWS and QQP replayed as a cache: at most 1% (strict: no threshold below 1 gets there, so only
 * the same words hit), 2% (balanced, the default) and 5% (lenient) of label-0 lookups answered wrongly.
 * Held-out recall and wrong-hit rates of each: docs/semantic-quality.md.
 */
export const PRECISION_THRESHOLDS: Readonly<Record<SemanticPrecision, number>> = {
  strict: 1,
  balanced: 0.94,
  lenient: 0.81,
};

/**
 * Who shares a namespace's entries: every user of the tenant (`tenant`, the default), or only the user who
 * asked (`user`: personal data; the user id is part of the key and the semantic partition, and a request
 * without one bypasses the cache).
 */
export type NamespaceScope = 'tenant' | 'user';

/** A namespace's effective settings (config defaults merged with the namespace's own). */
export interface NamespacePolicy {
  readonly name: string;
  readonly version: number;
  readonly temperaturePolicy: TemperaturePolicy;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  /** Default TTL per content type (namespace's own over the global ones). */
  readonly contentTypeTtlSeconds: Readonly<Record<string, number>>;
  /**
   * The namespace's own `similarityThreshold`, else its `semanticPrecision` preset's threshold, else the
   * global setting; unset: the cache service's default (configured, or the verifier's calibrated default).
   */
  readonly similarityThreshold: number | undefined;
  readonly scope: NamespaceScope;
  /** Its hits may be kept by shared caches (CDNs): `Cache-Control: public`, and the keyless GET form. Never with user scope. */
  readonly public: boolean;
  /** Hit verification (the judge's mode, the wrong-hit bound); carried with each lookup. Absent: none. */
  readonly verification?: NamespaceVerification | undefined;
}

/** A namespace's hit verification settings (see docs/verified-hits.md). */
export interface NamespaceVerification {
  readonly judge?: 'inline' | 'learn' | undefined;
  readonly maxWrongHitRate?: number | undefined;
  readonly auditShare?: number | undefined;
  /** `judge` (unset): the cache service's judge audits; `shadow`: the gateway's fresh upstream call (the judge does not). */
  readonly audit?: 'judge' | 'shadow' | undefined;
}

export interface NamespaceDefaults {
  readonly temperaturePolicy: TemperaturePolicy;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly similarityThreshold?: number;
  readonly contentTypeTtlSeconds?: Readonly<Record<string, number>>;
  /** The presets' thresholds for the configured embedding model (default: `PRECISION_THRESHOLDS`). */
  readonly presetThresholds?: Readonly<Record<SemanticPrecision, number>>;
}

export interface NamespaceOverrides {
  /** A preset instead of a number; `similarityThreshold` wins when both are set. */
  readonly semanticPrecision?: SemanticPrecision;
  readonly version?: number;
  readonly temperaturePolicy?: TemperaturePolicy;
  readonly defaultTtlSeconds?: number;
  readonly maxTtlSeconds?: number;
  readonly similarityThreshold?: number;
  readonly contentTypeTtlSeconds?: Readonly<Record<string, number>>;
  readonly scope?: NamespaceScope;
  readonly public?: boolean;
  readonly verification?: NamespaceVerification | undefined;
}

export const DEFAULT_NAMESPACE = 'default';

/** Resolves namespace policies once per name; namespaces not configured get the defaults at version 1. */
export class NamespacePolicies {
  private readonly resolved = new Map<string, NamespacePolicy>();

  constructor(
    private readonly defaults: NamespaceDefaults,
    private readonly overrides: Readonly<Record<string, NamespaceOverrides>> = {},
  ) {}

  get(name: string): NamespacePolicy {
    let policy = this.resolved.get(name);
    if (!policy) {
      const own = Object.prototype.hasOwnProperty.call(this.overrides, name) ? (this.overrides[name] ?? {}) : {};
      const maxTtlSeconds = own.maxTtlSeconds ?? this.defaults.maxTtlSeconds;
      policy = {
        name,
        version: own.version ?? 1,
        temperaturePolicy: own.temperaturePolicy ?? this.defaults.temperaturePolicy,
        defaultTtlSeconds: Math.min(own.defaultTtlSeconds ?? this.defaults.defaultTtlSeconds, maxTtlSeconds),
        maxTtlSeconds,
        similarityThreshold:
          own.similarityThreshold ??
          (own.semanticPrecision === undefined
            ? undefined
            : (this.defaults.presetThresholds ?? PRECISION_THRESHOLDS)[own.semanticPrecision]) ??
          this.defaults.similarityThreshold,
        contentTypeTtlSeconds: { ...this.defaults.contentTypeTtlSeconds, ...own.contentTypeTtlSeconds },
        ...(own.verification === undefined ? {} : { verification: own.verification }),
        scope: own.scope ?? 'tenant',
        // A user's answers are never public, whatever the config says (the config refuses the pair anyway).
        public: own.public === true && own.scope !== 'user',
      };
      // Only configured namespaces are remembered: names come from requests, and must not grow memory.
      if (Object.prototype.hasOwnProperty.call(this.overrides, name)) this.resolved.set(name, policy);
    }
    return policy;
  }

  /**
   * The entry's TTL: the requested one, else its content type's default, else the namespace default;
   * never above the namespace maximum.
   */
  ttlSeconds(policy: NamespacePolicy, requested: number | undefined, contentType?: string): number {
    const byType = contentType === undefined ? undefined : policy.contentTypeTtlSeconds[contentType];
    return Math.min(requested ?? byType ?? policy.defaultTtlSeconds, policy.maxTtlSeconds);
  }
}
