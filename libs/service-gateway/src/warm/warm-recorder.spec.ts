import { NamespacePolicies, type SeenVersion, type WarmRecording, type WarmRecordings } from '@strata/cache-core';
import { loadConfig } from '@strata/config';
import { WarmRecorder } from './warm-recorder';

class CapturingRecordings implements WarmRecordings {
  readonly recorded: { tenant: string; recording: WarmRecording; ttlSeconds: number }[] = [];
  failNext = false;
  record(tenant: string, recording: WarmRecording, ttlSeconds: number): Promise<void> {
    if (this.failNext) return Promise.reject(new Error('Redis is unreachable'));
    this.recorded.push({ tenant, recording, ttlSeconds });
    return Promise.resolve();
  }
  get(): Promise<Map<string, WarmRecording>> {
    return Promise.resolve(new Map<string, WarmRecording>());
  }
  seenVersions(): Promise<SeenVersion[]> {
    return Promise.resolve([]);
  }
  markSeen(): Promise<void> {
    return Promise.resolve();
  }
  claim(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function setup() {
  const file = {
    log: { level: 'silent' as const },
    cache: { namespaces: { faq: { version: 3, warmOnVersionBump: { top: 10 } }, plain: {} } },
  };
  const config = loadConfig({}, file);
  const policies = new NamespacePolicies(
    { temperaturePolicy: 'deterministic-only', defaultTtlSeconds: 60, maxTtlSeconds: 600 },
    config.cache.namespaces,
  );
  const recordings = new CapturingRecordings();
  return { sut: new WarmRecorder(config, recordings), recordings, policies };
}

const REQUEST = {
  api: 'anthropic' as const,
  body: { model: 'claude-test', max_tokens: 50, messages: [{ role: 'user', content: 'refund window?' }] },
  headers: { 'anthropic-version': '2023-06-01' },
};

describe(WarmRecorder.name, () => {
  it('keeps the request behind a store of a warm-on-bump namespace, with its version, tags and entry TTL', () => {
    const { sut, recordings, policies } = setup();
    sut.stored('acme', policies.get('faq'), 'entry-1', ['product:7'], 120, REQUEST);
    expect(recordings.recorded).toEqual([
      {
        tenant: 'acme',
        ttlSeconds: 120,
        recording: {
          entryId: 'entry-1',
          namespace: 'faq',
          version: 3,
          api: 'anthropic',
          body: JSON.stringify(REQUEST.body),
          tags: ['product:7'],
          headers: { 'anthropic-version': '2023-06-01' },
        },
      },
    ]);
  });

  it('keeps nothing for namespaces that did not opt in, nor for a user-scoped policy', () => {
    const { sut, recordings, policies } = setup();
    sut.stored('acme', policies.get('plain'), 'entry-1', [], 120, REQUEST);
    sut.stored('acme', policies.get('unconfigured'), 'entry-2', [], 120, REQUEST);
    sut.stored('acme', { ...policies.get('faq'), scope: 'user' }, 'entry-3', [], 120, REQUEST);
    expect(recordings.recorded).toEqual([]);
  });

  it('never throws into the store that called it when the store of recordings fails', async () => {
    const { sut, recordings, policies } = setup();
    recordings.failNext = true;
    expect(() => sut.stored('acme', policies.get('faq'), 'entry-1', [], 120, REQUEST)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });
});
