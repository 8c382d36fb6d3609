type Env = Readonly<Record<string, string | undefined>>;

/** What the `strata` CLI takes from its environment (flags win over these). */
export interface CliEnv {
  /** `STRATA_URL`: the gateway to talk to. */
  readonly url: string | undefined;
  /** `STRATA_KEY`: the Strata API key (sent as `X-Strata-Key`). */
  readonly key: string | undefined;
  /** `STRATA_UPSTREAM_KEY`: the LLM upstream key `strata warm` sends as `Authorization` when Strata passes it through. */
  readonly upstreamKey: string | undefined;
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The CLI's own variables; separate from `loadConfig`, which configures the services. */
export function loadCliEnv(env: Env = process.env): CliEnv {
  return {
    url: value(env, 'STRATA_URL'),
    key: value(env, 'STRATA_KEY'),
    upstreamKey: value(env, 'STRATA_UPSTREAM_KEY'),
  };
}
