import { cacheHeaders } from './cache-headers';

describe(cacheHeaders.name, () => {
  it('reports a hit with tier, entry id, similarity, Age and Cache-Status', () => {
    expect(
      cacheHeaders({ status: 'HIT', tier: 'l3', entryId: 'e1', ageSeconds: 12, ttlSeconds: 300, similarity: 0.912345 }),
    ).toEqual({
      'x-strata-cache': 'HIT',
      'x-strata-tier': 'l3',
      'x-strata-entry-id': 'e1',
      'x-strata-similarity': '0.9123',
      age: '12',
      'cache-status': 'Strata; hit; ttl=300; detail=l3',
    });
  });

  it('says detail=verified for a hit the model judge decided', () => {
    const headers = cacheHeaders({
      status: 'HIT',
      tier: 'l3',
      entryId: 'e1',
      ageSeconds: 1,
      ttlSeconds: 60,
      similarity: 0.85,
      verified: true,
    });
    expect(headers['cache-status']).toBe('Strata; hit; ttl=60; detail=verified');
  });

  it('reports a stale hit with a negative ttl', () => {
    const headers = cacheHeaders({ status: 'STALE', tier: 'l1', entryId: 'e1', ageSeconds: 70, ttlSeconds: -10 });
    expect(headers['x-strata-cache']).toBe('STALE');
    expect(headers['cache-status']).toBe('Strata; hit; ttl=-10; detail=l1');
    expect(headers['x-strata-similarity']).toBeUndefined();
  });

  it('reports a miss with why it was forwarded, the upstream status, storing and collapsing', () => {
    expect(
      cacheHeaders({ status: 'MISS', fwd: 'miss', fwdStatus: 200, stored: true, collapsed: false, entryId: 'e2' }),
    ).toEqual({
      'x-strata-cache': 'MISS',
      'x-strata-entry-id': 'e2',
      'cache-status': 'Strata; fwd=miss; fwd-status=200; stored',
    });
    expect(cacheHeaders({ status: 'MISS', fwd: 'request', stored: false, collapsed: true, entryId: 'e2' })).toEqual({
      'x-strata-cache': 'MISS',
      'cache-status': 'Strata; fwd=request; collapsed',
    });
  });

  it('says when a miss had its semantic lookup shed because the embedding would have come too late (detail=semantic-busy)', () => {
    expect(
      cacheHeaders({ status: 'MISS', fwd: 'miss', fwdStatus: 200, stored: true, collapsed: false, semanticBusy: true }),
    ).toEqual({
      'x-strata-cache': 'MISS',
      'cache-status': 'Strata; fwd=miss; fwd-status=200; stored; detail=semantic-busy',
    });
  });

  it('marks a hedged miss (detail=hedged) and a hit that answered before its hedged upstream call (X-Strata-Hedged)', () => {
    expect(
      cacheHeaders({ status: 'MISS', fwd: 'miss', fwdStatus: 200, stored: true, collapsed: false, hedged: true }),
    ).toEqual({
      'x-strata-cache': 'MISS',
      'x-strata-hedged': '1',
      'cache-status': 'Strata; fwd=miss; fwd-status=200; stored; detail=hedged',
    });
    const hit = cacheHeaders({
      status: 'HIT',
      tier: 'l3',
      entryId: 'e1',
      ageSeconds: 3,
      ttlSeconds: 60,
      similarity: 0.95,
      hedged: true,
    });
    expect(hit['x-strata-hedged']).toBe('1');
    expect(hit['cache-status']).toBe('Strata; hit; ttl=60; detail=l3');
    expect(
      cacheHeaders({ status: 'HIT', tier: 'l1', entryId: 'e1', ageSeconds: 0, ttlSeconds: 60 }),
    ).not.toHaveProperty('x-strata-hedged');
  });

  it('reports a bypass with its reason as a token, or a quoted string when it cannot be one', () => {
    expect(cacheHeaders({ status: 'BYPASS', reason: 'temperature', fwdStatus: 200 })['cache-status']).toBe(
      'Strata; fwd=bypass; fwd-status=200; detail=temperature',
    );
    expect(cacheHeaders({ status: 'BYPASS', reason: '2 "big"' })['cache-status']).toBe(
      'Strata; fwd=bypass; detail="2 \\"big\\""',
    );
  });
});
