import { StrataError } from '@strata/contracts';
import { DEFAULT_CONTROLS, parseCacheControl, parseProxyControls } from './proxy-controls';

function rejects(headers: Record<string, string | string[]>): StrataError {
  try {
    parseProxyControls(headers);
  } catch (error) {
    if (error instanceof StrataError) return error;
    throw error;
  }
  throw new Error('expected a StrataError');
}

describe(parseCacheControl.name, () => {
  it('reads bare directives, token and quoted values, case-insensitively', () => {
    const directives = parseCacheControl('No-Cache, max-age=60 ,private="a, b", no-store');
    expect([...directives]).toEqual([
      ['no-cache', true],
      ['max-age', '60'],
      ['private', 'a, b'],
      ['no-store', true],
    ]);
  });

  it('tolerates empty list members', () => {
    expect([...parseCacheControl(', ,no-store,,')]).toEqual([['no-store', true]]);
  });

  it('refuses an unterminated quoted value and a malformed name', () => {
    expect(() => parseCacheControl('private="oops')).toThrow(StrataError);
    expect(() => parseCacheControl('max age=3')).toThrow(StrataError);
  });
});

describe(parseProxyControls.name, () => {
  it('returns the defaults when no control header is sent', () => {
    expect(parseProxyControls({ 'content-type': 'application/json' })).toBe(DEFAULT_CONTROLS);
  });

  it('reads no-cache, no-store and max-age', () => {
    expect(parseProxyControls({ 'cache-control': 'no-cache, no-store, max-age=30' })).toMatchObject({
      noCache: true,
      noStore: true,
      maxAgeSeconds: 30,
    });
  });

  it('ignores Cache-Control directives it does not use', () => {
    expect(parseProxyControls({ 'cache-control': 'private, stale-if-error=5' })).toMatchObject({
      noCache: false,
      noStore: false,
      maxAgeSeconds: undefined,
    });
  });

  it('reads namespace, tags (trimmed, deduplicated), threshold, mode and TTL', () => {
    const controls = parseProxyControls({
      'x-strata-namespace': 'support-bot',
      'x-strata-tags': ' product:1, doc:returns,,product:1',
      'x-strata-threshold': '0.9',
      'x-strata-cache-mode': 'EXACT',
      'x-strata-ttl': '120',
    });
    expect(controls).toEqual({
      ...DEFAULT_CONTROLS,
      namespace: 'support-bot',
      tags: ['product:1', 'doc:returns'],
      threshold: 0.9,
      mode: 'exact',
      ttlSeconds: 120,
    });
  });

  it('joins repeated tag headers', () => {
    expect(parseProxyControls({ 'x-strata-tags': ['a', 'b,c'] }).tags).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['semantic', 'auto'],
    ['auto', 'auto'],
    ['off', 'off'],
  ])('maps cache mode %s to %s', (header, mode) => {
    expect(parseProxyControls({ 'x-strata-cache-mode': header }).mode).toBe(mode);
  });

  it.each([
    [{ 'cache-control': 'max-age=soon' }, 'max-age'],
    [{ 'cache-control': 'max-age=-1' }, 'max-age'],
    [{ 'cache-control': 'max-age' }, 'max-age'],
    [{ 'x-strata-threshold': '1.5' }, 'X-Strata-Threshold'],
    [{ 'x-strata-threshold': 'high' }, 'X-Strata-Threshold'],
    [{ 'x-strata-threshold': '' }, 'X-Strata-Threshold'],
    [{ 'x-strata-cache-mode': 'fuzzy' }, 'X-Strata-Cache-Mode'],
    [{ 'x-strata-namespace': '-bad name' }, 'X-Strata-Namespace'],
    [{ 'x-strata-tags': 'ok,$entry:1' }, 'X-Strata-Tags'],
    [{ 'x-strata-ttl': '0' }, 'X-Strata-TTL'],
    [{ 'x-strata-ttl': '1.5' }, 'X-Strata-TTL'],
    [{ 'x-strata-threshold': ['0.5', '0.6'] }, 'X-Strata-Threshold'],
  ])('refuses %p with invalid_request naming the header', (headers, name) => {
    const error = rejects(headers);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(name);
  });
});
