import { Injectable } from '@nestjs/common';
import { canonicalJson, contentText, sha256Hex } from '@strata/cache-core';
import { type ChatMessage } from '@strata/contracts';
import { type BoundCounter, StrataMetrics, boundCounter } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { BoundedLabels } from '../cost/bounded-labels';

/** What changes inside a prefix between two requests, by the look of the differing span. */
export type VolatileKind = 'timestamp' | 'date' | 'uuid' | 'request-id' | 'counter' | 'other';

const HINTS: Record<VolatileKind, string> = {
  timestamp:
    'a time of day in the stable prefix changes on every request: move it after the cached prefix (into the last user message) or round it',
  date: 'a date in the stable prefix changes the prefix once a day at least: put it in the last user message, or accept one cache write per day',
  uuid: 'a UUID in the stable prefix makes every prompt unique: pass it in metadata or the last user message',
  'request-id':
    'a request or trace id in the stable prefix makes every prompt unique: pass it in metadata or a header instead',
  counter:
    'a changing number in the stable prefix (a counter, a count of items) breaks the prefix: move it after the cached part',
  other:
    'the stable prefix changes here between consecutive requests: keep everything before the last cache breakpoint identical',
};

/** Ordered: the first match names the span. */
const CLASSIFIERS: readonly (readonly [VolatileKind, RegExp])[] = [
  ['uuid', /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i],
  ['timestamp', /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b\d{1,2}:\d{2}(:\d{2})?\b|\b1[5-9]\d{8}(\d{3})?\b/],
  [
    'date',
    /\d{4}-\d{2}-\d{2}|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b(mon|tues|wednes|thurs|fri|satur|sun)day\b/i,
  ],
  [
    'request-id',
    /\b(req|request|trace|span|session|msg|call|run)[-_]?(id)?[-_:= ]*[A-Za-z0-9]{6,}|\b[0-9a-f]{16,}\b|\b[A-Za-z0-9]{24,}\b/i,
  ],
  ['counter', /^\d+$/],
];

/** A differing span longer than this is a different prompt, not volatile content in the same one. */
const MAX_VOLATILE_SPAN = 80;
const TOKEN_CHAR = /[A-Za-z0-9:_\-./]/;
const MAX_PREFIXES = 1_000;
const MAX_SCOPES = 1_000;
const PREVIEW = 160;

export interface PrefixDifference {
  readonly kind: VolatileKind;
  /** Character offset of the first difference in the prefix text. */
  readonly offset: number;
  readonly previous: string;
  readonly current: string;
  readonly hint: string;
}

export interface PrefixReport {
  readonly namespace: string;
  readonly requests: number;
  /** Requests without a stable prefix (no system prompt, no tools). */
  readonly withoutPrefix: number;
  /** Share of requests with a prefix whose prefix was seen before in this namespace (what a provider prompt cache can reuse). */
  readonly reuseRate: number;
  /** Share of consecutive requests with the same prefix. */
  readonly consecutiveReuseRate: number;
  readonly topPrefixes: readonly {
    readonly hash: string;
    readonly requests: number;
    readonly share: number;
    readonly estimatedTokens: number;
    readonly preview: string;
  }[];
  readonly volatile: readonly {
    readonly kind: VolatileKind;
    readonly occurrences: number;
    readonly hint: string;
    readonly lastExample: PrefixDifference;
  }[];
  /** The most recent change of prefix between consecutive requests. */
  readonly lastDifference: PrefixDifference | null;
}

interface Scope {
  requests: number;
  withoutPrefix: number;
  reused: number;
  consecutive: number;
  previous: { hash: string; text: string } | undefined;
  readonly prefixes: LRUCache<string, { count: number; preview: string; chars: number }>;
  readonly volatile: Map<VolatileKind, { occurrences: number; lastExample: PrefixDifference }>;
  lastDifference: PrefixDifference | null;
}

/** The stable prefix of a request in the neutral form: model, tools and the leading system/developer turns; undefined when it has none. */
export function stablePrefix(
  model: string,
  messages: readonly ChatMessage[],
  params: Readonly<Record<string, unknown>>,
): string | undefined {
  const leading: string[] = [];
  for (const message of messages) {
    if (message.role !== 'system' && message.role !== 'developer') break;
    leading.push(contentText(message.content) ?? canonicalJson(message.content));
  }
  const tools = params['tools'];
  if (leading.length === 0 && tools === undefined) return undefined;
  return `${tools === undefined ? '' : `${canonicalJson(tools)}\n`}${leading.join('\n')}\n@${model}`;
}

function prefixHash(prefix: string): string {
  return sha256Hex(prefix).slice(0, 16);
}

/** The first differing span of two prefixes, widened to whole tokens, and what it looks like; undefined when they differ too much to be the same prompt. */
export function firstDifference(previous: string, current: string): PrefixDifference | undefined {
  let start = 0;
  const shorter = Math.min(previous.length, current.length);
  while (start < shorter && previous.charCodeAt(start) === current.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < shorter - start &&
    previous.charCodeAt(previous.length - 1 - end) === current.charCodeAt(current.length - 1 - end)
  )
    end++;
  let from = start;
  while (from > 0 && TOKEN_CHAR.test(current[from - 1] ?? '')) from--;
  const span = (text: string): { from: number; to: number } => {
    let to = Math.max(from, text.length - end);
    while (to < text.length && TOKEN_CHAR.test(text[to] ?? '')) to++;
    return { from, to };
  };
  const was = span(previous);
  const is = span(current);
  if (was.to - was.from > MAX_VOLATILE_SPAN || is.to - is.from > MAX_VOLATILE_SPAN) return undefined;
  const kind =
    CLASSIFIERS.find(
      ([kind, pattern]) => looksLike(kind, pattern, previous, was) && looksLike(kind, pattern, current, is),
    )?.[0] ?? 'other';
  return {
    kind,
    offset: start,
    previous: previous.slice(was.from, was.to),
    current: current.slice(is.from, is.to),
    hint: HINTS[kind],
  };
}

/** Context around a span that a pattern may use (`Dec 4` is a date although only `4` changed). */
const CONTEXT = 16;

/** Whether the span is (part of) what the pattern matches: counters on the span alone, the rest with some context. */
function looksLike(kind: VolatileKind, pattern: RegExp, text: string, span: { from: number; to: number }): boolean {
  if (kind === 'counter') return pattern.test(text.slice(span.from, span.to));
  const start = Math.max(0, span.from - CONTEXT);
  const global = new RegExp(pattern.source, `${pattern.flags}g`);
  for (const match of text.slice(start, span.to + CONTEXT).matchAll(global)) {
    const from = start + (match.index ?? 0);
    if (from < span.to && from + match[0].length > span.from) return true;
  }
  return false;
}

/**
 * Prefix stability per tenant and namespace, from consecutive proxied requests: how often the stable
 * prefix (tools and system prompt) repeats — which is what a provider's prompt cache can reuse — which
 * prefixes are most frequent, and what volatile content (timestamps, dates, UUIDs, request ids,
 * counters) keeps changing inside it, with the first differing span and a hint. In memory, per gateway
 * replica, bounded.
 */
@Injectable()
export class PrefixDiagnostics {
  private readonly metrics = StrataMetrics.shared();
  private readonly namespaces = new BoundedLabels(100);
  private readonly scopes = new LRUCache<string, Scope>({ max: MAX_SCOPES });
  /** `strata_prompt_prefixes_total`'s children by namespace label and outcome (bounded), bound on first use. */
  private readonly counted = new Map<string, BoundCounter>();

  /** Records one request; returns its prefix hash (for `X-Strata-Prefix-Hash`), undefined when it has no stable prefix. */
  observe(tenant: string, namespace: string, prefix: string | undefined): string | undefined {
    const scope = this.scope(tenant, namespace);
    scope.requests++;
    const label = this.namespaces.label(namespace);
    if (prefix === undefined) {
      scope.withoutPrefix++;
      this.count(label, 'none');
      return undefined;
    }
    const previous = scope.previous;
    // Consecutive requests mostly share their prefix: its hash is then the previous one's, not hashed again.
    const hash = previous?.text === prefix ? previous.hash : prefixHash(prefix);
    const seen = scope.prefixes.get(hash);
    if (seen) {
      seen.count++;
      scope.reused++;
    } else {
      scope.prefixes.set(hash, { count: 1, preview: prefix.slice(0, PREVIEW), chars: prefix.length });
    }
    let outcome = seen ? 'reused' : 'new';
    if (previous?.hash === hash) scope.consecutive++;
    else if (previous) {
      const difference = firstDifference(previous.text, prefix);
      if (difference) {
        scope.lastDifference = difference;
        if (difference.kind !== 'other') outcome = 'volatile';
        const entry = scope.volatile.get(difference.kind);
        if (entry) {
          entry.occurrences++;
          entry.lastExample = difference;
        } else scope.volatile.set(difference.kind, { occurrences: 1, lastExample: difference });
      }
    }
    scope.previous = { hash, text: prefix };
    this.count(label, outcome);
    return hash;
  }

  private count(namespace: string, outcome: string): void {
    const key = `${namespace}\u0000${outcome}`;
    let counter = this.counted.get(key);
    if (counter === undefined) {
      counter = boundCounter(this.metrics.promptPrefixes, { namespace, outcome });
      this.counted.set(key, counter);
    }
    counter.inc();
  }

  report(tenant: string, namespace: string): PrefixReport {
    const scope = this.scopes.get(`${tenant}\u0000${namespace}`);
    if (!scope)
      return {
        namespace,
        requests: 0,
        withoutPrefix: 0,
        reuseRate: 0,
        consecutiveReuseRate: 0,
        topPrefixes: [],
        volatile: [],
        lastDifference: null,
      };
    const withPrefix = scope.requests - scope.withoutPrefix;
    const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000);
    const top = [...scope.prefixes.entries()].sort(([, a], [, b]) => b.count - a.count).slice(0, 10);
    return {
      namespace,
      requests: scope.requests,
      withoutPrefix: scope.withoutPrefix,
      reuseRate: ratio(scope.reused, withPrefix),
      consecutiveReuseRate: ratio(scope.consecutive, Math.max(0, withPrefix - 1)),
      topPrefixes: top.map(([hash, p]) => ({
        hash,
        requests: p.count,
        share: ratio(p.count, withPrefix),
        estimatedTokens: Math.ceil(p.chars / 4),
        preview: p.preview,
      })),
      volatile: [...scope.volatile.entries()]
        .filter(([kind]) => kind !== 'other')
        .sort(([, a], [, b]) => b.occurrences - a.occurrences)
        .map(([kind, v]) => ({ kind, occurrences: v.occurrences, hint: HINTS[kind], lastExample: v.lastExample })),
      lastDifference: scope.lastDifference,
    };
  }

  private scope(tenant: string, namespace: string): Scope {
    const key = `${tenant}\u0000${namespace}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = {
        requests: 0,
        withoutPrefix: 0,
        reused: 0,
        consecutive: 0,
        previous: undefined,
        prefixes: new LRUCache({ max: MAX_PREFIXES }),
        volatile: new Map(),
        lastDifference: null,
      };
      this.scopes.set(key, scope);
    }
    return scope;
  }
}
