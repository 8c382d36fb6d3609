import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ErrorCode, StrataError, entryIdSchema, namespaceSchema } from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { type FastifyReply } from 'fastify';
import { GatewayCache } from '../cache-api/gateway-cache';
import {
  PRIVATE_NO_STORE,
  ifNoneMatchMatches,
  publicAnswerBody,
  publicAnswerHeaders,
  strongEtag,
} from './edge-headers';

/**
 * `GET /v1/cache/public/{tenant}/{namespace}/{entry id}`: an answer of a namespace configured `public: true`, readable
 * without a key so that a CDN can fetch and keep it (the URL names the tenant: a shared cache must not key by
 * credentials). Any other namespace, an unknown, expired or purged entry, or one of another namespace reads as 404 —
 * never telling which. Conditional requests (`If-None-Match`) are answered 304.
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
    const notFound = new StrataError(ErrorCode.NotFound, 'no public answer at this address');
    if (!namespaceSchema.safeParse(namespace).success || !entryIdSchema.safeParse(id).success) throw notFound;
    if (tenant.length === 0 || tenant.length > 256) throw notFound;
    const policy = this.cache.policy(namespace);
    if (!policy.public) throw notFound;
    const entry = await this.cache.getEntry(tenant, id.toLowerCase());
    if (!entry || entry.namespace !== policy.name || entry.namespaceVersion !== policy.version) throw notFound;

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
}
