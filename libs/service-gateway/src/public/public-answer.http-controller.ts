import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { type CacheEntry, entryIdFromKey } from '@strata/cache-core';
import { ErrorCode, StrataError, entryIdSchema, namespaceSchema } from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { type FastifyReply } from 'fastify';
import { GatewayCache } from '../cache-api/gateway-cache';
import {
  PRIVATE_NO_STORE,
  ifNoneMatchMatches,
  publicAnswerBody,
  publicAnswerHeaders,
  publicAnswerPath,
  strongEtag,
} from './edge-headers';
import { publicQuestionRequest } from './public-question';
import { httpRequestContext } from '../http/http-request-context';

/**
 * `GET /v1/cache/public/{tenant}/{namespace}/{entry id}` and `GET /v1/cache/public/{tenant}/{namespace}?q=&model=`:
 * an answer of a namespace configured `public: true`, readable without a key so that a CDN can fetch and keep it (the
 * URL names the tenant: a shared cache must not key by credentials). Any other namespace, an unknown, expired or
 * purged entry, or one of another namespace reads as 404 — never telling which. Conditional requests
 * (`If-None-Match`) are answered 304.
 */
@Controller('v1/cache/public')
export class PublicAnswerHttpController {
  constructor(private readonly cache: GatewayCache) {}

  @Get(':tenant/:namespace/:id')
  @RouteAccess('public')
  async answer(
    @Param('tenant') tenant: string,
    @Param('namespace') namespace: string,
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    // A miss must not be kept by a shared cache: the answer may be stored a moment later.
    void reply.header('cache-control', PRIVATE_NO_STORE);
    if (!entryIdSchema.safeParse(id).success) throw notFound();
    const policy = this.publicPolicy(tenant, namespace);
    const entry = await this.cache.getEntry(tenant, id.toLowerCase(), httpRequestContext(reply.request));
    if (!entry || entry.namespace !== policy.name || entry.namespaceVersion !== policy.version) throw notFound();
    return serve(entry, ifNoneMatch, reply);
  }

  /**
   * By question: the exact-match answer to `{model, messages: [{role: "user", content: q}], temperature: 0}` in the
   * public namespace (the request a FAQ page would send), found by the entry id its exact key derives. Only an entry
   * stored for exactly that request answers: not a semantic match, nor a copy of one (`aliasOf`). `Content-Location`
   * names the answer's by-id address.
   */
  @Get(':tenant/:namespace')
  @RouteAccess('public')
  async answerTo(
    @Param('tenant') tenant: string,
    @Param('namespace') namespace: string,
    @Query('q') q: unknown,
    @Query('model') model: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    void reply.header('cache-control', PRIVATE_NO_STORE);
    const request = publicQuestionRequest(namespace, q, model);
    const policy = this.publicPolicy(tenant, namespace);
    const { exactKey } = this.cache.fingerprint(tenant, request, policy);
    const entry = await this.cache.getEntry(tenant, entryIdFromKey(exactKey), httpRequestContext(reply.request));
    if (
      !entry ||
      entry.exactKey !== exactKey ||
      entry.aliasOf !== undefined ||
      entry.namespace !== policy.name ||
      entry.namespaceVersion !== policy.version
    )
      throw notFound();
    void reply.header('content-location', publicAnswerPath(entry));
    return serve(entry, ifNoneMatch, reply);
  }

  /** The namespace's policy when the address can name a public answer; else the 404 that tells nothing. */
  private publicPolicy(tenant: string, namespace: string): ReturnType<GatewayCache['policy']> {
    if (!namespaceSchema.safeParse(namespace).success) throw notFound();
    if (tenant.length === 0 || tenant.length > 256) throw notFound();
    const policy = this.cache.policy(namespace);
    if (!policy.public) throw notFound();
    return policy;
  }
}

function notFound(): StrataError {
  return new StrataError(ErrorCode.NotFound, 'no public answer at this address');
}

/** The one place that writes a public answer: its edge headers, then a 304 or the body. */
function serve(entry: CacheEntry, ifNoneMatch: string | undefined, reply: FastifyReply): string | undefined {
  const body = publicAnswerBody(entry);
  const etag = strongEtag(body);
  void reply.headers(publicAnswerHeaders(entry, etag, Date.now()));
  if (ifNoneMatchMatches(ifNoneMatch, etag)) {
    void reply.status(304);
    return undefined;
  }
  void reply.header('content-type', 'application/json; charset=utf-8');
  return body;
}
