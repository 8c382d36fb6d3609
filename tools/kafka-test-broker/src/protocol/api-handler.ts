import { type ApiKey } from './api-key';
import { type RequestReader } from './request-reader';
import { type ResponseWriter } from './response-writer';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
  /** As Kafka reports it, e.g. `/127.0.0.1`. */
  readonly clientHost: string;
  /** Aborted when the broker stops: long waits (Fetch, JoinGroup, SyncGroup) end early. */
  readonly shutdown: AbortSignal;
}

/**
 * One Kafka API at the versions [minVersion, maxVersion]. ApiVersions advertises exactly these ranges, so what
 * kafkajs negotiates is always something the handler implements.
 */
export interface ApiHandler {
  readonly apiKey: ApiKey;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Set by ApiVersions only: it must answer any version (with UNSUPPORTED_VERSION) so clients can negotiate. */
  readonly answersUnsupportedVersions?: boolean;
  /** Returns the response body, or null when the request gets no response (Produce with acks=0). */
  handle(request: RequestReader, context: RequestContext): Promise<ResponseWriter | null> | ResponseWriter | null;
}

/** The `[ApiKey, min, max]` ranges ApiVersions advertises. */
export interface ApiVersionRange {
  readonly apiKey: ApiKey;
  readonly minVersion: number;
  readonly maxVersion: number;
}
