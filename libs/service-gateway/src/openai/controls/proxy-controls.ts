import { type IncomingHttpHeaders } from 'node:http';
import { ErrorCode, StrataError, namespaceSchema, tagSchema } from '@strata/contracts';

/** How a request may use the cache: exact only, exact then semantic (default), or not at all. */
export type ProxyCacheMode = 'exact' | 'auto' | 'off';

/** The per-request cache controls an OpenAI client can send as headers (documented in ./README.md). */
export interface ProxyControls {
  /** `Cache-Control: no-cache`: do not answer from the cache (force a refresh); the fresh answer is still stored. */
  readonly noCache: boolean;
  /** `Cache-Control: no-store`: do not store this request's answer. */
  readonly noStore: boolean;
  /** `Cache-Control: max-age=N`: only answer from an entry at most N seconds old. */
  readonly maxAgeSeconds: number | undefined;
  /** `X-Strata-Namespace` */
  readonly namespace: string | undefined;
  /** `X-Strata-Tags`: comma-separated tags stored with the answer (what it depends on, for purges). */
  readonly tags: readonly string[];
  /** `X-Strata-Threshold`: semantic similarity threshold in [0, 1]. */
  readonly threshold: number | undefined;
  /** `X-Strata-Cache-Mode: exact | semantic | off` (`auto` is accepted as a synonym of `semantic`). */
  readonly mode: ProxyCacheMode;
  /** `X-Strata-TTL`: seconds the stored answer lives (capped by the namespace maximum). */
  readonly ttlSeconds: number | undefined;
}

export const DEFAULT_CONTROLS: ProxyControls = {
  noCache: false,
  noStore: false,
  maxAgeSeconds: undefined,
  namespace: undefined,
  tags: [],
  threshold: undefined,
  mode: 'auto',
  ttlSeconds: undefined,
};

type HeaderValue = string | string[] | undefined;

function invalid(message: string): StrataError {
  return new StrataError(ErrorCode.InvalidRequest, message);
}

/** One header value; a repeated header is refused where it has no list meaning. */
function single(name: string, value: HeaderValue): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalid(`send the ${name} header once`);
    return value[0];
  }
  return value;
}

/**
 * Parses a `Cache-Control` header value (RFC 9111 §5.2) into its directives, names lower-cased. Values may
 * be tokens or quoted strings (which may hold commas); unknown directives are kept and then ignored.
 */
export function parseCacheControl(value: string): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i >= n) break;
    let nameEnd = i;
    while (nameEnd < n && value[nameEnd] !== '=' && value[nameEnd] !== ',') nameEnd++;
    const name = value.slice(i, nameEnd).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw invalid(`Cache-Control: malformed directive "${value.slice(i, nameEnd).trim()}"`);
    i = nameEnd;
    if (value[i] !== '=') {
      directives.set(name, true);
      continue;
    }
    i++;
    let argument: string;
    if (value[i] === '"') {
      let end = i + 1;
      let text = '';
      while (end < n && value[end] !== '"') {
        if (value[end] === '\\' && end + 1 < n) end++;
        text += value[end];
        end++;
      }
      if (end >= n) throw invalid(`Cache-Control: unterminated quoted value for "${name}"`);
      argument = text;
      i = end + 1;
    } else {
      let end = i;
      while (end < n && value[end] !== ',') end++;
      argument = value.slice(i, end).trim();
      i = end;
    }
    directives.set(name, argument);
  }
  return directives;
}

/** delta-seconds (RFC 9111 §1.2.2): digits only. */
function deltaSeconds(header: string, raw: string | true | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === true || !/^\d{1,10}$/.test(raw)) throw invalid(`${header} must be a whole number of seconds`);
  return Number(raw);
}

function mode(raw: string | undefined): ProxyCacheMode {
  if (raw === undefined) return 'auto';
  switch (raw.trim().toLowerCase()) {
    case 'exact':
      return 'exact';
    case 'semantic':
    case 'auto':
      return 'auto';
    case 'off':
      return 'off';
    default:
      throw invalid('X-Strata-Cache-Mode must be exact, semantic or off');
  }
}

function threshold(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const value = Number(text);
  if (text === '' || !/^[0-9.eE+-]+$/.test(text) || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalid('X-Strata-Threshold must be a number between 0 and 1');
  }
  return value;
}

function namespace(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = namespaceSchema.safeParse(raw.trim());
  if (!parsed.success) throw invalid(`X-Strata-Namespace: ${parsed.error.issues[0]?.message ?? 'invalid namespace'}`);
  return parsed.data;
}

function tags(raw: HeaderValue): string[] {
  if (raw === undefined) return [];
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  const out: string[] = [];
  for (const part of joined.split(',')) {
    const tag = part.trim();
    if (tag === '') continue;
    const parsed = tagSchema.safeParse(tag);
    if (!parsed.success) throw invalid(`X-Strata-Tags: "${tag}": ${parsed.error.issues[0]?.message ?? 'invalid tag'}`);
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

function ttl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = deltaSeconds('X-Strata-TTL', raw.trim());
  if (seconds === 0) throw invalid('X-Strata-TTL must be at least 1 second');
  return seconds;
}

/** Reads the cache controls from request headers (Node lower-cases header names); a bad value is a 400. */
export function parseProxyControls(headers: IncomingHttpHeaders): ProxyControls {
  const cacheControl = headers['cache-control'];
  const strataHeaders =
    headers['x-strata-namespace'] ??
    headers['x-strata-tags'] ??
    headers['x-strata-threshold'] ??
    headers['x-strata-cache-mode'] ??
    headers['x-strata-ttl'];
  if (cacheControl === undefined && strataHeaders === undefined) return DEFAULT_CONTROLS;

  const directives =
    cacheControl === undefined
      ? new Map<string, string | true>()
      : parseCacheControl(Array.isArray(cacheControl) ? cacheControl.join(',') : cacheControl);
  return {
    noCache: directives.has('no-cache'),
    noStore: directives.has('no-store'),
    maxAgeSeconds: deltaSeconds('Cache-Control: max-age', directives.get('max-age')),
    namespace: namespace(single('X-Strata-Namespace', headers['x-strata-namespace'])),
    tags: tags(headers['x-strata-tags']),
    threshold: threshold(single('X-Strata-Threshold', headers['x-strata-threshold'])),
    mode: mode(single('X-Strata-Cache-Mode', headers['x-strata-cache-mode'])),
    ttlSeconds: ttl(single('X-Strata-TTL', headers['x-strata-ttl'])),
  };
}
