import {
  OpenAPIRegistry,
  OpenApiGeneratorV3,
  type RouteConfig,
  extendZodWithOpenApi,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ErrorCode,
  entriesListQuerySchema,
  entryIdSchema,
  feedbackRequestSchema,
  invalidationRequestSchema,
  lookupRequestSchema,
  namespaceSchema,
  purgeRequestSchema,
  storeRequestSchema,
} from '@strata/contracts';
import {
  anthropicMessagesBodySchema,
  chatCompletionBodySchema,
  embeddingsBodySchema,
  proxyHeadersSchema,
} from './proxy-body.schemas';
import { PUBLIC_QUESTION_MAX_CHARS } from '../public/public-question';

// Query parameters and components need zod's `.openapi()`; adding it changes nothing else about the schemas.
extendZodWithOpenApi(z);

type Document = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const errorBodySchema = z
  .object({
    error: z.object({
      code: z.nativeEnum(ErrorCode),
      message: z.string(),
    }),
  })
  .openapi('Error');

const json = (schema: z.ZodTypeAny) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: z.ZodTypeAny = z.object({}).passthrough()) => ({
  description,
  ...json(schema),
});
const errors = {
  400: { description: 'The request is not valid (the message says which field)', ...json(errorBodySchema) },
  401: { description: 'Missing or unknown key, or a key that may not call this route', ...json(errorBodySchema) },
  429: { description: 'Rate limited (see Retry-After)', ...json(errorBodySchema) },
};

const lookupResponseSchema = z
  .object({
    hit: z.boolean(),
    status: z.enum(['hit', 'miss', 'bypass']).optional(),
    tier: z.enum(['l1', 'l2', 'l3']).optional(),
    id: entryIdSchema.optional(),
    response: z.unknown().optional(),
    similarity: z.number().optional(),
    age: z.number().optional(),
    ttl: z.number().optional(),
    ticket: z.number().int().optional(),
    reason: z.string().optional(),
  })
  .passthrough()
  .openapi('LookupResponse');

const storeResponseSchema = z
  .object({ id: entryIdSchema, ttl: z.number(), tiers: z.array(z.string()).optional() })
  .passthrough()
  .openapi('StoreResponse');

const idParams = z.object({ id: entryIdSchema });
const tenantQuery = z.object({ tenant: z.string().min(1).optional() });

const cacheTag = 'cache';
const invalidationsTag = 'invalidations';
const openaiTag = 'openai';
const anthropicTag = 'anthropic';
const operationsTag = 'operations';

/** Every route the gateway serves, documented; the spec fails when the gateway registers one not listed here. */
const ROUTES: RouteConfig[] = [
  {
    method: 'post',
    path: '/v1/cache/lookup',
    tags: [cacheTag],
    summary: 'Look a request up in L1, L2 (exact) and L3 (semantic)',
    request: { body: json(lookupRequestSchema) },
    responses: {
      200: ok('A hit (with the stored response) or a miss (with the ticket to store with)', lookupResponseSchema),
      ...errors,
    },
  },
  {
    method: 'post',
    path: '/v1/cache/entries',
    tags: [cacheTag],
    summary: 'Store an answer for a request, with tags and a TTL',
    request: { body: json(storeRequestSchema) },
    responses: { 201: ok('Stored', storeResponseSchema), ...errors },
  },
  {
    method: 'get',
    path: '/v1/cache/entries',
    tags: [cacheTag],
    summary: 'List and search entries (namespace, tag, text; sorted by hits or recency; paged by cursor)',
    request: { query: entriesListQuerySchema },
    responses: { 200: ok('A page of entries and the next cursor'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/cache/entries/{id}',
    tags: [cacheTag],
    summary: 'One entry of the calling tenant',
    request: { params: idParams },
    responses: { 200: ok('The entry'), 404: { description: 'No such entry', ...json(errorBodySchema) }, ...errors },
  },
  {
    method: 'delete',
    path: '/v1/cache/entries/{id}',
    tags: [cacheTag],
    summary: 'Delete one entry from every tier',
    request: { params: idParams },
    responses: {
      200: ok('Deleted, with the count per tier'),
      404: { description: 'No such entry', ...json(errorBodySchema) },
      ...errors,
    },
  },
  {
    method: 'post',
    path: '/v1/cache/purge',
    tags: [cacheTag],
    summary: 'Purge by tags, namespace, meaning or user, in every tier',
    request: { body: json(purgeRequestSchema) },
    responses: { 200: ok('The entries purged per tier'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/cache/stats',
    tags: [cacheTag],
    summary:
      "Hits per tier, hit ratio, entries, tokens and money saved (a tenant key: its own; an admin key: everyone's)",
    responses: { 200: ok('The numbers'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/cache/namespaces',
    tags: [cacheTag],
    summary: 'Namespaces with their policy, version and entry counts',
    request: { query: tenantQuery },
    responses: { 200: ok('The namespaces'), ...errors },
  },
  {
    method: 'post',
    path: '/v1/cache/feedback',
    tags: [cacheTag],
    summary: 'A verdict (right or wrong) on an answer the cache served, by entry id or request id',
    request: { body: json(feedbackRequestSchema) },
    responses: { 200: ok('Recorded'), ...errors },
  },
  {
    method: 'post',
    path: '/v1/cache/import',
    tags: [cacheTag],
    summary: 'Import entries (as `strata export` wrote them) into the calling tenant',
    request: { body: json(z.object({ entries: z.array(z.object({}).passthrough()) }).passthrough()) },
    responses: { 200: ok('How many were imported, skipped or failed'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/cache/public/{tenant}/{namespace}/{id}',
    tags: [cacheTag],
    summary: 'An answer of a namespace configured public, without a key (for CDNs); conditional with If-None-Match',
    request: { params: z.object({ tenant: z.string().min(1), namespace: namespaceSchema, id: entryIdSchema }) },
    responses: {
      200: ok('The answer'),
      304: { description: 'Not modified' },
      404: { description: 'No public answer at this address', ...json(errorBodySchema) },
    },
  },
  {
    method: 'get',
    path: '/v1/cache/public/{tenant}/{namespace}',
    tags: [cacheTag],
    summary:
      'By question: the exact-match answer to one user message (`q`) at temperature 0 in a public namespace, without a key (for CDNs); conditional with If-None-Match',
    request: {
      params: z.object({ tenant: z.string().min(1), namespace: namespaceSchema }),
      query: z.object({
        q: z
          .string()
          .min(1)
          .max(PUBLIC_QUESTION_MAX_CHARS)
          .openapi({ description: 'The question, as the user asked it' }),
        model: z.string().min(1).max(256),
      }),
    },
    responses: {
      200: ok('The answer (Content-Location: its by-id address)'),
      304: { description: 'Not modified' },
      400: errors[400],
      404: { description: 'No public answer to this question', ...json(errorBodySchema) },
    },
  },
  {
    method: 'post',
    path: '/v1/invalidations',
    tags: [invalidationsTag],
    summary: "Publish a data-change event for the caller's tenant (purge or invalidate what depends on it)",
    request: { body: json(invalidationRequestSchema) },
    responses: { 202: ok('Published: the event id (the invalidation service applies it in every tier)'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/invalidations/recent',
    tags: [invalidationsTag],
    summary: 'The data-change events and dead letters handled last',
    request: { query: tenantQuery },
    responses: { 200: ok('Recent events and dead letters'), ...errors },
  },
  {
    method: 'post',
    path: '/v1/chat/completions',
    tags: [openaiTag],
    summary: 'OpenAI-compatible chat completions, answered from the cache or forwarded upstream (streaming too)',
    request: { headers: proxyHeadersSchema, body: json(chatCompletionBodySchema) },
    responses: {
      200: {
        description:
          'The completion (JSON, or text/event-stream when `stream` is true); X-Strata-Cache tells HIT or MISS',
        content: {
          'application/json': { schema: z.object({}).passthrough() },
          'text/event-stream': { schema: z.string() },
        },
      },
      502: { description: 'The upstream failed, or none is configured', ...json(errorBodySchema) },
      ...errors,
    },
  },
  {
    method: 'post',
    path: '/v1/embeddings',
    tags: [openaiTag],
    summary: 'OpenAI-compatible embeddings (the local model, or forwarded upstream)',
    request: { body: json(embeddingsBodySchema) },
    responses: { 200: ok('The embeddings'), ...errors },
  },
  {
    method: 'get',
    path: '/v1/models',
    tags: [openaiTag],
    summary: 'The models the upstream lists (the local embedding model without one)',
    responses: { 200: ok('The model list') },
  },
  {
    method: 'get',
    path: '/v1/models/{model}',
    tags: [openaiTag],
    summary: "One model, from its route's upstream",
    request: { params: z.object({ model: z.string().min(1) }) },
    responses: { 200: ok('The model'), 404: { description: 'No such model', ...json(errorBodySchema) } },
  },
  {
    method: 'post',
    path: '/v1/messages',
    tags: [anthropicTag],
    summary: 'Anthropic Messages API, answered from the cache or forwarded to Anthropic (streaming too)',
    request: { headers: proxyHeadersSchema, body: json(anthropicMessagesBodySchema) },
    responses: {
      200: {
        description: 'The message (JSON, or text/event-stream when `stream` is true)',
        content: {
          'application/json': { schema: z.object({}).passthrough() },
          'text/event-stream': { schema: z.string() },
        },
      },
      ...errors,
    },
  },
  {
    method: 'get',
    path: '/v1/prompt-cache/report',
    tags: [openaiTag],
    summary: "How stable the caller's prompt prefixes are in a namespace (provider prompt-cache reuse)",
    request: { query: z.object({ namespace: namespaceSchema.optional() }) },
    responses: { 200: ok('The report'), ...errors },
  },
  {
    method: 'get',
    path: '/health/live',
    tags: [operationsTag],
    summary: 'Liveness',
    responses: { 200: ok('Alive') },
  },
  {
    method: 'get',
    path: '/health/ready',
    tags: [operationsTag],
    summary: 'Readiness: every dependency check of this process',
    responses: { 200: ok('Ready or degraded'), 503: ok('Not ready') },
  },
  {
    method: 'get',
    path: '/metrics',
    tags: [operationsTag],
    summary: 'Prometheus metrics (with API keys configured: an admin key)',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tags: [operationsTag],
    summary: 'This document',
    responses: { 200: ok('The OpenAPI 3 document of the gateway') },
  },
];

/** Routes the gateway serves that are not part of its API (pages for people), left out of the document. */
export const UNDOCUMENTED_ROUTES: readonly { method: string; path: string; why: string }[] = [
  { method: 'get', path: '/console', why: 'the web console (HTML)' },
  { method: 'get', path: '/console/{file}', why: "the web console's assets" },
];

let document: Document | undefined;

/** The gateway's OpenAPI 3 document, generated once from the zod schemas of its requests. */
export function openApiDocument(): Document {
  if (document) return document;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'strataKey', { type: 'apiKey', in: 'header', name: 'X-Strata-Key' });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const route of ROUTES) registry.registerPath(route);
  document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Strata gateway',
      version: '1',
      description:
        'A layered cache for LLM traffic: the cache API (/v1/cache/*), invalidations, and OpenAI- and Anthropic-compatible proxies that answer from the cache. With STRATA_API_KEYS configured, send a key as X-Strata-Key or Authorization: Bearer. Errors are {"error":{"code","message"}}.',
      license: { name: 'Apache-2.0' },
    },
    security: [{}, { strataKey: [] }, { bearer: [] }],
  });
  return document;
}
