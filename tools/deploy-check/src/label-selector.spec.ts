import { isEmptySelector, parseSelectorString, selects } from './label-selector';

describe(selects.name, () => {
  const labels = { app: 'cache', tier: 'l2' };

  it('matches matchLabels and every matchExpressions operator', () => {
    expect(selects({ matchLabels: { app: 'cache' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'gateway' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['l2', 'l3'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['l2'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
  });

  it('treats {} as all pods and a missing selector as none', () => {
    expect(selects({}, labels)).toBe(true);
    expect(isEmptySelector({})).toBe(true);
    expect(selects(undefined, labels)).toBe(false);
  });
});

describe(parseSelectorString.name, () => {
  it('parses equality, set and existence requirements', () => {
    const match = parseSelectorString('app in (cache,gateway), tier!=l1, !zone, part-of');
    expect(match({ app: 'cache', tier: 'l2', 'part-of': 'strata' })).toBe(true);
    expect(match({ app: 'cache', tier: 'l1', 'part-of': 'strata' })).toBe(false);
    expect(match({ app: 'kafka', 'part-of': 'strata' })).toBe(false);
    expect(match({ app: 'cache', zone: 'a', 'part-of': 'strata' })).toBe(false);
  });

  it('refuses what it cannot parse', () => {
    expect(() => parseSelectorString('app >< x')).toThrow('unsupported label selector requirement');
  });
});
