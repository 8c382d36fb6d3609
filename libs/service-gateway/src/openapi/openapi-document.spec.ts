import SwaggerParser from '@apidevtools/swagger-parser';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig } from '@strata/config';
import { CACHE_SERVICE, EMBEDDINGS, INVALIDATION, L1_EVICTIONS } from '@strata/contracts';
import { GatewayModule } from '../gateway.module';
import { UNDOCUMENTED_ROUTES, openApiDocument } from './openapi-document';

/** `/v1/cache/entries/:id` and `/v1/cache/entries/{id}` alike: path parameters (and wildcards) as `{}`. */
function normalise(path: string): string {
  return path
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/:[^/]+/g, '{}')
    .replace(/\*/g, '{}');
}

/** Every method and path the gateway's router registers (HEAD routes Fastify adds for GETs left out). */
async function registeredRoutes(): Promise<string[]> {
  const adapter = new FastifyAdapter();
  const routes: string[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push(`${method.toLowerCase()} ${normalise(route.url)}`);
    }
  });
  // The service ports are never called while routes are registered: empty stand-ins are enough.
  const ports = [CACHE_SERVICE, INVALIDATION, EMBEDDINGS, L1_EVICTIONS].map((token) => ({
    provide: token,
    useValue: {},
  }));
  const app: INestApplication = await NestFactory.create(
    GatewayModule.register({ config: loadConfig({}), adapters: ports }),
    adapter,
    { logger: false },
  );
  try {
    await app.init();
  } finally {
    await app.close();
  }
  return [...new Set(routes)].sort();
}

function documentedRoutes(): string[] {
  const routes: string[] = [];
  for (const [path, operations] of Object.entries(openApiDocument().paths)) {
    for (const method of Object.keys(operations)) routes.push(`${method} ${normalise(path)}`);
  }
  return routes.sort();
}

describe('the OpenAPI document (GET /openapi.json)', () => {
  it('is a valid OpenAPI 3 document', async () => {
    const copy = JSON.parse(JSON.stringify(openApiDocument())) as Parameters<typeof SwaggerParser.validate>[0];
    const validated = await SwaggerParser.validate(copy);
    expect((validated as { openapi?: string }).openapi).toMatch(/^3\./);
  });

  it('documents every route the gateway registers (a new route without docs fails here)', async () => {
    const undocumented = new Set(UNDOCUMENTED_ROUTES.map((r) => `${r.method} ${normalise(r.path)}`));
    const registered = (await registeredRoutes()).filter((route) => !undocumented.has(route));
    expect(registered.length).toBeGreaterThan(15);
    expect(documentedRoutes()).toEqual(expect.arrayContaining(registered));
  });

  it('documents only routes the gateway registers (a documented path or method without a route fails here)', async () => {
    const registered = await registeredRoutes();
    const documented = documentedRoutes();
    expect(documented.length).toBeGreaterThan(15);
    expect(registered).toEqual(expect.arrayContaining(documented));
  });

  it('describes the request bodies from the contracts, e.g. a lookup needs a model', () => {
    const lookup = openApiDocument().paths['/v1/cache/lookup']?.post as unknown as {
      requestBody: { content: { 'application/json': { schema: { required?: string[]; properties: object } } } };
    };
    const schema = lookup.requestBody.content['application/json'].schema;
    expect(schema.required).toContain('model');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['messages', 'prompt', 'namespace', 'mode']));
    for (const path of [
      '/v1/cache/entries',
      '/v1/cache/purge',
      '/v1/invalidations',
      '/v1/chat/completions',
      '/v1/messages',
    ]) {
      const post = openApiDocument().paths[path]?.post as { requestBody?: object } | undefined;
      expect(post?.requestBody).toBeDefined();
    }
  });
});
