export type TemperaturePolicy = 'deterministic-only' | 'always' | 'never';

/** A namespace's effective settings (config defaults merged with the namespace's own). */
export interface NamespacePolicy {
  readonly name: string;
  readonly version: number;
  readonly temperaturePolicy: TemperaturePolicy;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  /** Default TTL per content type (namespace's own over the global ones). */
  readonly contentTypeTtlSeconds: Readonly<Record<string, number>>;
  /** Unset: the cache service's default (configured, or the verifier's calibrated default). */
  readonly similarityThreshold: number | undefined;
}

export interface NamespaceDefaults {
  readonly temperaturePolicy: TemperaturePolicy;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly similarityThreshold?: number;
  readonly contentTypeTtlSeconds?: Readonly<Record<string, number>>;
}

export interface NamespaceOverrides {
  readonly version?: number;
  readonly temperaturePolicy?: TemperaturePolicy;
  readonly defaultTtlSeconds?: number;
  readonly maxTtlSeconds?: number;
  readonly similarityThreshold?: number;
  readonly contentTypeTtlSeconds?: Readonly<Record<string, number>>;
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
        similarityThreshold: own.similarityThreshold ?? this.defaults.similarityThreshold,
        contentTypeTtlSeconds: { ...this.defaults.contentTypeTtlSeconds, ...own.contentTypeTtlSeconds },
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
