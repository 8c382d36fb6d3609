import { cacheability } from './cacheability';

describe(cacheability.name, () => {
  it('caches temperature 0 by default', () => {
    expect(cacheability('deterministic-only', { temperature: 0 })).toEqual({ cacheable: true });
  });

  it('does not cache a sampling temperature or an unset one by default', () => {
    expect(cacheability('deterministic-only', { temperature: 0.7 })).toEqual({
      cacheable: false,
      reason: 'temperature',
    });
    expect(cacheability('deterministic-only', {})).toEqual({ cacheable: false, reason: 'temperature' });
    expect(cacheability('deterministic-only', undefined)).toEqual({ cacheable: false, reason: 'temperature' });
  });

  it('caches any temperature when the namespace says always', () => {
    expect(cacheability('always', { temperature: 1.2 })).toEqual({ cacheable: true });
    expect(cacheability('always', undefined)).toEqual({ cacheable: true });
  });

  it('caches nothing when the namespace says never', () => {
    expect(cacheability('never', { temperature: 0 })).toEqual({ cacheable: false, reason: 'namespace-never' });
  });

  it('never caches requests for several choices', () => {
    expect(cacheability('always', { n: 3 })).toEqual({ cacheable: false, reason: 'multiple-choices' });
  });
});
