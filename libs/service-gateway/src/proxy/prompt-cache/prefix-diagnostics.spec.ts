import { PrefixDiagnostics, firstDifference, stablePrefix } from './prefix-diagnostics';

const system = (text: string) =>
  stablePrefix(
    'claude-sonnet-4',
    [
      { role: 'system', content: text },
      { role: 'user', content: 'question' },
    ],
    {},
  );

describe(PrefixDiagnostics.name, () => {
  it('measures how often the stable prefix repeats and which prefixes are most frequent', () => {
    const sut = new PrefixDiagnostics();
    for (const text of ['Shop bot.', 'Shop bot.', 'Bank bot.', 'Shop bot.'])
      sut.observe('acme', 'support', system(text));
    sut.observe('acme', 'support', undefined);
    const report = sut.report('acme', 'support');
    expect(report).toMatchObject({ requests: 5, withoutPrefix: 1, reuseRate: 0.5, consecutiveReuseRate: 0.3333 });
    expect(report.topPrefixes[0]).toMatchObject({ requests: 3, share: 0.75 });
    expect(report.topPrefixes[0]?.preview).toContain('Shop bot.');
  });

  it('gives a prefix the same hash every time it is seen, consecutive or not, and another prefix another hash', () => {
    const sut = new PrefixDiagnostics();
    const hashes = ['Shop bot.', 'Shop bot.', 'Bank bot.', 'Shop bot.'].map((text) =>
      sut.observe('acme', 'support', system(text)),
    );
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[3]).toBe(hashes[0]);
    expect(hashes[2]).not.toBe(hashes[0]);
    expect(hashes[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('finds volatile content inside the prefix, with the first differing span and a hint', () => {
    const sut = new PrefixDiagnostics();
    sut.observe('acme', 'support', system('You are the shop bot. Now: 2026-12-04T10:15:02Z. Be brief.'));
    sut.observe('acme', 'support', system('You are the shop bot. Now: 2026-12-04T10:15:09Z. Be brief.'));
    sut.observe('acme', 'support', system('You are the shop bot. Now: 2026-12-04T10:16:40Z. Be brief.'));
    const report = sut.report('acme', 'support');
    expect(report.reuseRate).toBe(0);
    expect(report.volatile).toEqual([
      expect.objectContaining({
        kind: 'timestamp',
        occurrences: 2,
        lastExample: expect.objectContaining({
          offset: 42,
          previous: '2026-12-04T10:15:09Z.',
          current: '2026-12-04T10:16:40Z.',
        }),
      }),
    ]);
    expect(report.volatile[0]?.hint).toMatch(/move it after the cached prefix/);
  });

  it('keeps tenants and namespaces apart', () => {
    const sut = new PrefixDiagnostics();
    sut.observe('acme', 'support', system('Shop bot.'));
    expect(sut.report('globex', 'support').requests).toBe(0);
    expect(sut.report('acme', 'sales').requests).toBe(0);
  });
});

describe(firstDifference.name, () => {
  it.each([
    ['uuid', 'Session 3f2b8c1e-9a4d-4e2b-8f1a-2b3c4d5e6f70 open', 'Session 9b1c2d3e-1a2b-4c3d-8e4f-5a6b7c8d9e0f open'],
    ['date', 'Today is Dec 4, be nice', 'Today is Dec 5, be nice'],
    ['request-id', 'trace req_8f3k2j1h9g open', 'trace req_2k4l6m8n0p open'],
    ['counter', 'You have 12 open tickets', 'You have 13 open tickets'],
  ])('names a changing %s', (kind, before, after) => {
    expect(firstDifference(before, after)?.kind).toBe(kind);
  });

  it('does not call a different prompt volatile', () => {
    expect(firstDifference('A'.repeat(10) + 'x'.repeat(200), 'A'.repeat(10) + 'y'.repeat(200))).toBeUndefined();
  });
});
