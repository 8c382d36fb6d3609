import SwaggerParser from '@apidevtools/swagger-parser';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/** API tools and code generators read the gateway's OpenAPI document from the running server. */
describe('GET /openapi.json (end to end)', () => {
  let strata: StrataProcess;

  beforeAll(async () => {
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', { STRATA_API_KEYS: 'acme=acme-key-1' });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
  });

  it('serves a valid OpenAPI 3 document without a key, describing the cache API and the proxies', async () => {
    const res = await http(strata.url, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(
      SwaggerParser.validate(res.body as Parameters<typeof SwaggerParser.validate>[0]),
    ).resolves.toBeDefined();
    expect(Object.keys(res.body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/cache/lookup', '/v1/invalidations', '/v1/chat/completions', '/v1/messages']),
    );
  });

  it('still keeps the API itself behind the keys', async () => {
    const res = await http(strata.url, 'GET', '/v1/cache/stats');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});
