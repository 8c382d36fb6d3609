import { cacheFeedbackRequestSchema } from './index';

describe('cacheFeedbackRequestSchema', () => {
  const verdict = { tenant: 'acme', entryId: 'e-1', verdict: 'wrong' };

  it("accepts a client's verdict as before, and an audit result naming the audited hit", () => {
    expect(cacheFeedbackRequestSchema.safeParse(verdict).success).toBe(true);
    expect(
      cacheFeedbackRequestSchema.safeParse({
        ...verdict,
        exactKey: 'key-paraphrase',
        source: 'audit',
        audit: { namespace: 'support', similarity: 0.93, maxWrongHitRate: 0.02 },
      }).success,
    ).toBe(true);
  });

  it('refuses an audit result without the hit it audited, or with unknown fields', () => {
    const audit = { namespace: 'support', similarity: 0.93 };
    expect(cacheFeedbackRequestSchema.safeParse({ ...verdict, source: 'audit', audit }).success).toBe(false);
    expect(cacheFeedbackRequestSchema.safeParse({ ...verdict, exactKey: 'k', source: 'audit' }).success).toBe(false);
    expect(
      cacheFeedbackRequestSchema.safeParse({
        ...verdict,
        exactKey: 'k',
        source: 'audit',
        audit: { ...audit, similarity: 2 },
      }).success,
    ).toBe(false);
    expect(
      cacheFeedbackRequestSchema.safeParse({ ...verdict, exactKey: 'k', source: 'audit', audit: { ...audit, x: 1 } })
        .success,
    ).toBe(false);
  });
});
