/** What happened to a request in the cache, as reported to the client. */
export type CacheReport =
  | {
      readonly status: 'HIT' | 'STALE';
      readonly tier: 'l1' | 'l2' | 'l3';
      readonly entryId: string;
      readonly ageSeconds: number;
      /** Seconds of freshness left; negative when stale. */
      readonly ttlSeconds: number;
      readonly similarity?: number | undefined;
      /** Decided by the model judge: `Cache-Status … detail=verified`. */
      readonly verified?: boolean | undefined;
      /** A hedged miss's upstream call had started; this hit answered first (`X-Strata-Hedged: 1`). */
      readonly hedged?: boolean | undefined;
    }
  | {
      readonly status: 'MISS';
      /** RFC 9211 `fwd`: `miss` (nothing usable), `request` (no-cache), `stale` (older than max-age). */
      readonly fwd: 'miss' | 'request' | 'stale';
      /** The upstream's status, when known when headers are sent. */
      readonly fwdStatus?: number | undefined;
      /** The answer is queued to be stored (streams: if they complete). */
      readonly stored: boolean;
      /** The request shared an identical upstream call already in flight. */
      readonly collapsed: boolean;
      /** The id the entry gets when stored (derived from the request's key). */
      readonly entryId?: string | undefined;
      /** The upstream call started before the cache had answered (`upstream.hedgeAfterMs`): `detail=hedged`. */
      readonly hedged?: boolean | undefined;
      /**
       * The semantic lookup was shed, its embedding would have come after the lookup's time: `detail=semantic-busy`
       * (`detail=hedged` first when both).
       */
      readonly semanticBusy?: boolean | undefined;
    }
  | { readonly status: 'BYPASS'; readonly reason: string; readonly fwdStatus?: number | undefined };

const CACHE_NAME = 'Strata';

function similarity(value: number): string {
  return (Math.round(value * 10_000) / 10_000).toString();
}

/** RFC 8941 token (a bare item) when it can be one, else a quoted string. */
function sfItem(value: string): string {
  return /^[A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~:/-]*$/.test(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * The response headers that tell the client what the cache did: `X-Strata-Cache`, `X-Strata-Tier`,
 * `X-Strata-Similarity`, `X-Strata-Entry-Id`, `X-Strata-Hedged`, `Age`, and the standard RFC 9211 `Cache-Status`.
 */
export function cacheHeaders(report: CacheReport): Record<string, string> {
  switch (report.status) {
    case 'HIT':
    case 'STALE': {
      const headers: Record<string, string> = {
        'x-strata-cache': report.status,
        'x-strata-tier': report.tier,
        'x-strata-entry-id': report.entryId,
        age: String(report.ageSeconds),
        'cache-status': `${CACHE_NAME}; hit; ttl=${report.ttlSeconds}; detail=${report.verified === true ? 'verified' : report.tier}`,
      };
      if (report.similarity !== undefined) headers['x-strata-similarity'] = similarity(report.similarity);
      if (report.hedged === true) headers['x-strata-hedged'] = '1';
      return headers;
    }
    case 'MISS': {
      let status = `${CACHE_NAME}; fwd=${report.fwd}`;
      if (report.fwdStatus !== undefined) status += `; fwd-status=${report.fwdStatus}`;
      if (report.stored) status += '; stored';
      if (report.collapsed) status += '; collapsed';
      if (report.hedged === true) status += '; detail=hedged';
      else if (report.semanticBusy === true) status += '; detail=semantic-busy';
      const headers: Record<string, string> = { 'x-strata-cache': 'MISS', 'cache-status': status };
      if (report.hedged === true) headers['x-strata-hedged'] = '1';
      if (report.entryId !== undefined && report.stored) headers['x-strata-entry-id'] = report.entryId;
      return headers;
    }
    case 'BYPASS': {
      let status = `${CACHE_NAME}; fwd=bypass`;
      if (report.fwdStatus !== undefined) status += `; fwd-status=${report.fwdStatus}`;
      return { 'x-strata-cache': 'BYPASS', 'cache-status': `${status}; detail=${sfItem(report.reason)}` };
    }
  }
}
