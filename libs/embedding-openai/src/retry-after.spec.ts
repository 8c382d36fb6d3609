import { retryAfterMs } from './retry-after';

describe(retryAfterMs.name, () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads Retry-After seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2_000);
  });

  it('reads Retry-After as an HTTP date relative to now', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0);
  });

  it("prefers OpenAI's retry-after-ms", () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150.5', 'retry-after': '1' }), now)).toBe(151);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '-3' }), now)).toBeUndefined();
  });
});
