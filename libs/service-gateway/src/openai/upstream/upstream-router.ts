import { type StrataConfig } from '@strata/config';
import { ReplicaSet } from '../../proxy/affinity/replica-set';
import { firstMatch } from '../model-pattern';

/** Where a request goes: an OpenAI-compatible base URL and, if configured, the key to use there. */
export interface UpstreamTarget {
  /** Base URL including its version path, without a trailing slash or query (e.g. `https://api.openai.com/v1`). */
  readonly baseUrl: string;
  /** The configured URL's query (e.g. Azure's `?api-version=…`), appended to every call; '' when none. */
  readonly query: string;
  /** Secret: never logged. */
  readonly apiKey: string | undefined;
  /** `authorization` (Bearer), Azure's `api-key`, or Anthropic's `x-api-key`. */
  readonly apiKeyHeader: 'authorization' | 'api-key' | 'x-api-key';
  /** Several replicas of a self-hosted server: each request picks one by prefix affinity (`baseUrl` is the first's). */
  readonly replicas?: ReplicaSet<UpstreamTarget>;
}

/** A target from a configured base URL (its query is kept apart and appended to every call). */
export function upstreamTarget(
  url: string,
  apiKey: string | undefined,
  apiKeyHeader: UpstreamTarget['apiKeyHeader'],
): UpstreamTarget {
  const parsed = new URL(url);
  return {
    baseUrl: `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, ''),
    query: parsed.search,
    apiKey,
    apiKeyHeader,
  };
}

/** Routes a model to its upstream (`upstream.routes`, first match; exact names beat `*` patterns), else the default `upstream.url`. */
export class UpstreamRouter {
  private readonly byModel: (model: string) => UpstreamTarget | undefined;
  private readonly fallback: UpstreamTarget | undefined;

  constructor(config: StrataConfig['upstream']) {
    this.byModel = firstMatch(
      config.routes.flatMap((route) => {
        const urls = [route.url, ...(route.replicas ?? [])];
        const targets = urls.map((url) =>
          upstreamTarget(url, route.apiKey ?? undefined, route.apiKeyHeader ?? 'authorization'),
        );
        const primary =
          targets[0] ?? upstreamTarget(route.url, route.apiKey ?? undefined, route.apiKeyHeader ?? 'authorization');
        const routeTarget: UpstreamTarget =
          targets.length > 1
            ? { ...primary, replicas: new ReplicaSet(targets, urls, config.affinityLoadFactor) }
            : primary;
        return route.models.map((pattern) => [pattern, routeTarget] as const);
      }),
    );
    this.fallback =
      config.url === undefined ? undefined : upstreamTarget(config.url, config.apiKey, config.apiKeyHeader);
  }

  /** The upstream for a model; undefined when none is configured for it. */
  route(model: string): UpstreamTarget | undefined {
    return this.byModel(model) ?? this.fallback;
  }

  /** The upstream for requests that name no model (`GET /v1/models`). */
  get default(): UpstreamTarget | undefined {
    return this.fallback;
  }
}
