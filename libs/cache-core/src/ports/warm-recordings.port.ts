import { type RequestApi } from '../keys/request-fingerprint';

export const WARM_RECORDINGS = Symbol('WarmRecordings');

/**
 * The request that produced a stored entry of a namespace that warms on version bumps: enough to ask it again.
 * Never a credential: the client's body only (the key headers are not part of it), and never from a user-scoped
 * namespace (the config refuses that pairing).
 */
export interface WarmRecording {
  /** The stored entry's id (what popularity ranks). */
  readonly entryId: string;
  readonly namespace: string;
  /** The namespace version the entry was stored under. */
  readonly version: number;
  readonly api: RequestApi;
  /** The client's request body, as JSON text. */
  readonly body: string;
  /** The request headers the API forwards upstream as they are (`anthropic-version`, `anthropic-beta`), never credentials. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The tags the answer was stored with (`X-Strata-Tags`), so the re-asked answer is purged by the same events. */
  readonly tags: readonly string[];
}

/** The namespace version a (tenant, namespace) was last seen at. */
export interface SeenVersion {
  readonly tenant: string;
  readonly namespace: string;
  readonly version: number;
}

/**
 * Recorded requests beside the entries of opted-in namespaces (per tenant, each living as long as its entry), the
 * last-seen version per (tenant, namespace), and the once-per-bump claim that lets one replica warm a new version.
 * Adapters: in memory (embedded default), Redis (shared by every gateway replica).
 */
export interface WarmRecordings {
  /** Keeps `recording` for `ttlSeconds`, and remembers its version as the namespace's if none is remembered yet. */
  record(tenant: string, recording: WarmRecording, ttlSeconds: number): Promise<void>;
  /** The recordings of these entry ids that are still kept (absent ids: none). */
  get(tenant: string, entryIds: readonly string[]): Promise<Map<string, WarmRecording>>;
  /** Every remembered (tenant, namespace) version. */
  seenVersions(): Promise<SeenVersion[]>;
  /** Remembers `version` as the namespace's version (a start-up at a configured version with nothing remembered yet, or after a bump). */
  markSeen(tenant: string, namespace: string, version: number, onlyIfAbsent: boolean): Promise<void>;
  /** True for exactly one caller per (tenant, namespace, version) until `ttlSeconds` pass: the replica that warms it. */
  claim(tenant: string, namespace: string, version: number, ttlSeconds: number): Promise<boolean>;
}
