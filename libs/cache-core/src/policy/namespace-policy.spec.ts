import { NamespacePolicies, PRECISION_THRESHOLDS } from './namespace-policy';

describe(NamespacePolicies.name, () => {
  const policies = new NamespacePolicies(
    {
      temperaturePolicy: 'deterministic-only',
      defaultTtlSeconds: 3_600,
      maxTtlSeconds: 86_400,
      contentTypeTtlSeconds: { pricing: 300, docs: 7_200 },
    },
    {
      support: {
        version: 3,
        temperaturePolicy: 'always',
        defaultTtlSeconds: 600,
        maxTtlSeconds: 1_800,
        contentTypeTtlSeconds: { docs: 900 },
      },
    },
  );

  it('gives unconfigured namespaces the defaults at version 1', () => {
    expect(policies.get('other')).toMatchObject({
      name: 'other',
      version: 1,
      temperaturePolicy: 'deterministic-only',
      defaultTtlSeconds: 3_600,
    });
  });

  it('applies a namespace’s own settings over the defaults', () => {
    expect(policies.get('support')).toMatchObject({
      version: 3,
      temperaturePolicy: 'always',
      defaultTtlSeconds: 600,
      maxTtlSeconds: 1_800,
    });
  });

  it('resolves TTLs: requested, else content type, else namespace default; never above the maximum', () => {
    const other = policies.get('other');
    const support = policies.get('support');
    expect(policies.ttlSeconds(other, undefined)).toBe(3_600);
    expect(policies.ttlSeconds(other, 60)).toBe(60);
    expect(policies.ttlSeconds(other, 999_999)).toBe(86_400);
    expect(policies.ttlSeconds(other, undefined, 'pricing')).toBe(300);
    expect(policies.ttlSeconds(other, undefined, 'unknown')).toBe(3_600);
    expect(policies.ttlSeconds(support, undefined, 'docs')).toBe(900);
    expect(policies.ttlSeconds(support, undefined, 'pricing')).toBe(300);
    expect(policies.ttlSeconds(support, 10_000)).toBe(1_800);
  });

  it('maps a semanticPrecision preset to its calibrated threshold; an explicit threshold wins', () => {
    const presets = new NamespacePolicies(
      { temperaturePolicy: 'deterministic-only', defaultTtlSeconds: 60, maxTtlSeconds: 60, similarityThreshold: 0.9 },
      {
        careful: { semanticPrecision: 'strict' },
        loose: { semanticPrecision: 'lenient' },
        both: { semanticPrecision: 'lenient', similarityThreshold: 0.99 },
      },
    );
    expect(presets.get('careful').similarityThreshold).toBe(1);
    expect(presets.get('loose').similarityThreshold).toBe(PRECISION_THRESHOLDS.lenient);
    expect(presets.get('both').similarityThreshold).toBe(0.99);
    expect(presets.get('other').similarityThreshold).toBe(0.9);
    expect(PRECISION_THRESHOLDS.strict).toBeGreaterThan(PRECISION_THRESHOLDS.balanced);
    expect(PRECISION_THRESHOLDS.balanced).toBeGreaterThan(PRECISION_THRESHOLDS.lenient);
  });

  it("maps presets to the configured embedding model's thresholds when they are given", () => {
    const presets = new NamespacePolicies(
      {
        temperaturePolicy: 'deterministic-only',
        defaultTtlSeconds: 60,
        maxTtlSeconds: 60,
        presetThresholds: { strict: 0.955, balanced: 0.915, lenient: 0.855 },
      },
      { careful: { semanticPrecision: 'strict' }, loose: { semanticPrecision: 'lenient' } },
    );
    expect(presets.get('careful').similarityThreshold).toBe(0.955);
    expect(presets.get('loose').similarityThreshold).toBe(0.855);
    expect(presets.get('other').similarityThreshold).toBeUndefined();
  });
});

describe(`${NamespacePolicies.name} scope and publicity`, () => {
  const defaults = { temperaturePolicy: 'deterministic-only' as const, defaultTtlSeconds: 60, maxTtlSeconds: 600 };

  it('shares entries tenant-wide and keeps them private unless a namespace says otherwise', () => {
    const policies = new NamespacePolicies(defaults, { faq: { public: true }, account: { scope: 'user' } });
    expect(policies.get('other')).toMatchObject({ scope: 'tenant', public: false });
    expect(policies.get('faq')).toMatchObject({ scope: 'tenant', public: true });
    expect(policies.get('account')).toMatchObject({ scope: 'user', public: false });
  });

  it('never makes a user-scoped namespace public', () => {
    const policies = new NamespacePolicies(defaults, { mixed: { scope: 'user', public: true } });
    expect(policies.get('mixed')).toMatchObject({ scope: 'user', public: false });
  });
});
