import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { type CacheEntry, RESERVED_TAG_PREFIX, ageSeconds, ttlRemainingSeconds } from '@strata/cache-core';
import {
  ErrorCode,
  type RequestContext,
  StrataError,
  entryIdSchema,
  purgeRequestSchema,
  storeRequestSchema,
} from '@strata/contracts';
import { Inject } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { RouteAccess } from '@strata/observability';
import { RequestIdentity, TenantId } from '../auth/request-identity';
import { type Identity } from '../auth/tenant-resolver';
import { GatewayCache } from '../cache-api/gateway-cache';
import { CacheStatsService } from '../cache-api/cache-stats.service';
import { HttpRequestContext } from './http-request-context';
import { enforceLimits } from './request-limits';
import { parseBody } from './parse-body';

function userTags(entry: CacheEntry): string[] {
  return entry.tags.filter((t) => !t.startsWith(RESERVED_TAG_PREFIX));
}

function parseId(id: string): string {
  if (!entryIdSchema.safeParse(id).success) throw new StrataError(ErrorCode.InvalidRequest, 'entry id must be a UUID');
  return id.toLowerCase();
}

/**
 * The cache-as-a-service API (`/v1/cache/*`): parse, call the gateway cache, shape the answer. Its hot route,
 * `POST /v1/cache/lookup`, is served by Fastify directly (`CacheLookupHttpRoute`).
 */
@Controller('v1/cache')
export class CacheApiHttpController {
  constructor(
    private readonly cache: GatewayCache,
    private readonly stats: CacheStatsService,
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
  ) {}

  @Post('entries')
  @HttpCode(201)
  @RouteAccess('write')
  async store(
    @Body() body: unknown,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    const request = parseBody(storeRequestSchema, body);
    enforceLimits(this.config.limits, request);
    const stored = await this.cache.store(
      tenant,
      request,
      request.response,
      {
        tags: request.tags,
        ttlSeconds: request.ttl,
        contentType: request.contentType,
        ticket: request.ticket,
        upstreamSeconds: request.upstreamMs === undefined ? undefined : request.upstreamMs / 1000,
      },
      context,
    );
    return { id: stored.id, ttl: ttlRemainingSeconds(stored.entry, Date.now()), tiers: stored.tiers };
  }

  @Get('entries/:id')
  async getEntry(
    @Param('id') rawId: string,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    const id = parseId(rawId);
    const entry = await this.cache.getEntry(tenant, id, context);
    if (!entry) throw new StrataError(ErrorCode.NotFound, `no entry ${id}`);
    const now = Date.now();
    return {
      id: entry.id,
      namespace: entry.namespace,
      model: entry.model,
      query: entry.query,
      tags: userTags(entry),
      createdAt: new Date(entry.createdAt).toISOString(),
      expiresAt: new Date(entry.expiresAt).toISOString(),
      age: ageSeconds(entry, now),
      ttl: ttlRemainingSeconds(entry, now),
      response: entry.response,
    };
  }

  @Delete('entries/:id')
  @RouteAccess('write')
  async deleteEntry(
    @Param('id') rawId: string,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    const id = parseId(rawId);
    const purged = await this.cache.deleteEntry(tenant, id, context);
    if (purged.l1 + purged.l2 + purged.l3 === 0) throw new StrataError(ErrorCode.NotFound, `no entry ${id}`);
    return { id, deleted: true, purged };
  }

  @Post('purge')
  @HttpCode(200)
  @RouteAccess('write')
  async purge(
    @Body() body: unknown,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    const request = parseBody(purgeRequestSchema, body);
    enforceLimits(this.config.limits, request);
    const { semantic, ...purged } = await this.cache.purge(
      {
        tenant,
        ...(request.tags ? { tags: request.tags } : {}),
        ...(request.namespace ? { namespace: request.namespace } : {}),
        ...(request.semantic ? { semantic: request.semantic } : {}),
        ...(request.user ? { user: request.user } : {}),
      },
      context,
    );
    return semantic === undefined ? { purged } : { purged, semantic };
  }

  /** A tenant sees its own numbers; an admin key sees the whole gateway's. */
  @Get('stats')
  @RouteAccess('stats')
  getStats(@RequestIdentity() identity: Identity): Promise<object> {
    return identity.kind === 'admin' ? this.stats.snapshot() : this.stats.tenantSnapshot(identity.tenant);
  }
}
