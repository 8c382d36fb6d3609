import { type CacheEntry } from '@strata/cache-core';
import {
  freshSeconds,
  ifNoneMatchMatches,
  publicAnswerBody,
  publicAnswerHeaders,
  publicAnswerPath,
  strongEtag,
} from './edge-headers';

/** RFC 9111 §5.2: Cache-Control directives as a map (`token[=value]`, comma-separated, case-insensitive names). */
function directives(header: string): Map<string, string | true> {
  return new Map(
    header.split(',').map((part) => {
      const [name, value] = part.trim().split('=');
      return [name.toLowerCase(), value === undefined ? true : value] as [string, string | true];
    }),
  );
}

/** RFC 9110 §8.8.3: entity-tag = [ weak ] opaque-tag; opaque-tag = DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text. */
const STRONG_ETAG = /^"[\x21\x23-\x7e\x80-\xff]*"$/;

describe('public answer headers (RFC 9111 / RFC 9110 conformance)', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const entry: CacheEntry = {
    id: '11111111-1111-8111-8111-111111111111',
    tenant: 'acme',
    namespace: 'faq',
    namespaceVersion: 1,
    model: 'gpt-4o-mini',
    exactKey: 'k',
    contextHash: 'c',
    query: 'What are your opening hours?',
    response: { answer: '9 to 6' },
    tags: ['hours', '$entry:11111111-1111-8111-8111-111111111111'],
    createdAt: now - 30_000,
    expiresAt: now + 90_600,
  };
  const body = publicAnswerBody(entry);
  const etag = strongEtag(body);
  const headers = publicAnswerHeaders(entry, etag, now);

  it('lets shared caches store the answer (public) for no longer than the entry lives (max-age, rounded down)', () => {
    const cc = directives(headers['cache-control']);
    expect(cc.get('public')).toBe(true);
    expect(cc.get('max-age')).toMatch(/^\d+$/); // delta-seconds
    expect(Number(cc.get('max-age'))).toBe(90);
    // Without Age, a cache's age starts at 0 when it receives the answer: fresh until ≤ the entry's expiry.
    expect(headers).not.toHaveProperty('age');
    expect(now + Number(cc.get('max-age')) * 1000).toBeLessThanOrEqual(entry.expiresAt);
    for (const forbidding of ['private', 'no-store', 'no-cache', 's-maxage']) expect(cc.has(forbidding)).toBe(false);
    expect(freshSeconds({ expiresAt: now - 1 }, now)).toBe(0);
  });

  it('gives each answer a strong validator of its exact bytes', () => {
    expect(headers['etag']).toMatch(STRONG_ETAG);
    expect(strongEtag(body)).toBe(etag);
    expect(strongEtag(publicAnswerBody({ ...entry, response: { answer: '9 to 5' } }))).not.toBe(etag);
    expect(new Date(headers['last-modified']).getTime()).toBe(entry.createdAt);
  });

  it('keeps nothing in the body that changes while the entry lives (a strong ETag promises the same bytes)', () => {
    expect(JSON.parse(body)).toEqual({
      id: entry.id,
      namespace: 'faq',
      model: 'gpt-4o-mini',
      query: 'What are your opening hours?',
      response: { answer: '9 to 6' },
    });
  });

  it('answers If-None-Match by weak comparison: listed tags, W/ forms and * match; others do not', () => {
    expect(ifNoneMatchMatches(etag, etag)).toBe(true);
    expect(ifNoneMatchMatches(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchMatches(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchMatches('*', etag)).toBe(true);
    expect(ifNoneMatchMatches('"other"', etag)).toBe(false);
    expect(ifNoneMatchMatches(undefined, etag)).toBe(false);
  });

  it('names the answer by the surrogate keys its purges select, space- and comma-separated', () => {
    expect(headers['surrogate-key'].split(' ')).toEqual(
      expect.arrayContaining(['strata:acme:ns:faq', `strata:acme:entry:${entry.id}`, 'strata:acme:tag:hours']),
    );
    expect(headers['cache-tag']).toBe(headers['surrogate-key'].replaceAll(' ', ','));
  });

  it('puts the tenant, namespace and id in the path of the GET form', () => {
    expect(publicAnswerPath({ tenant: 'a b', namespace: 'faq', id: entry.id })).toBe(
      `/v1/cache/public/a%20b/faq/${entry.id}`,
    );
  });
});
