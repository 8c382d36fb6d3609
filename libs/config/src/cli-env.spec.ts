import { loadCliEnv } from './cli-env';

describe(loadCliEnv.name, () => {
  it('reads the CLI variables, trimmed, with empty values as unset', () => {
    expect(loadCliEnv({ STRATA_URL: ' http://strata:8080 ', STRATA_KEY: 'k', STRATA_UPSTREAM_KEY: '' })).toEqual({
      url: 'http://strata:8080',
      key: 'k',
      upstreamKey: undefined,
    });
    expect(loadCliEnv({})).toEqual({ url: undefined, key: undefined, upstreamKey: undefined });
  });
});
