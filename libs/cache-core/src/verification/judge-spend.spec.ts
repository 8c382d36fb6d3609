import { JudgeSpend } from './judge-spend';

describe(JudgeSpend.name, () => {
  it('adds calls and reported tokens per tenant and namespace', () => {
    const sut = new JudgeSpend();

    sut.called('acme', 'default');
    sut.used('acme', 'default', { inputTokens: 100, outputTokens: 4 });
    sut.called('acme', 'default');
    sut.used('acme', 'default', { inputTokens: 50, outputTokens: 2 });
    sut.called('acme', 'docs');

    expect(sut.snapshot()).toEqual([
      { tenant: 'acme', namespace: 'default', calls: 2, inputTokens: 150, outputTokens: 6 },
      { tenant: 'acme', namespace: 'docs', calls: 1, inputTokens: 0, outputTokens: 0 },
    ]);
  });

  it('counts pairs beyond its bound under other, so the totals stay whole', () => {
    const sut = new JudgeSpend(2);

    for (const tenant of ['a', 'b', 'c', 'd']) {
      sut.called(tenant, 'default');
      sut.used(tenant, 'default', { inputTokens: 10, outputTokens: 1 });
    }

    expect(sut.snapshot()).toEqual([
      { tenant: 'a', namespace: 'default', calls: 1, inputTokens: 10, outputTokens: 1 },
      { tenant: 'b', namespace: 'default', calls: 1, inputTokens: 10, outputTokens: 1 },
      { tenant: 'other', namespace: 'other', calls: 2, inputTokens: 20, outputTokens: 2 },
    ]);
  });
});
