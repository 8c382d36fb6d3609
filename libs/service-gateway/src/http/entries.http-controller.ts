import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ErrorCode,
  type RequestContext,
  StrataError,
  entriesListQuerySchema,
  importRequestSchema,
} from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { RequestIdentity, TenantId, readScope } from '../auth/request-identity';
import { type Identity } from '../auth/tenant-resolver';
import { EntryBrowser } from '../cache-api/entry-browser';
import { EntryImporter } from '../cache-api/entry-importer';
import { HttpRequestContext } from './http-request-context';
import { parseBody } from './parse-body';

/** A tenant key browses its own tenant; an admin key names the tenant (`?tenant=`). */
function tenantOf(identity: Identity, requested: string | undefined): string {
  const tenant = readScope(identity, requested);
  if (tenant === undefined) throw new StrataError(ErrorCode.InvalidRequest, 'tenant: required with an admin key');
  return tenant;
}

/**
 * Browsing the cache (`GET /v1/cache/entries`, `GET /v1/cache/namespaces`: the console's and the CLI's reads) and
 * restoring an export (`POST /v1/cache/import`, `strata import`).
 */
@Controller('v1/cache')
export class EntriesHttpController {
  constructor(
    private readonly browser: EntryBrowser,
    private readonly importer: EntryImporter,
  ) {}

  @Get('entries')
  @RouteAccess('stats')
  list(@Query() raw: unknown, @RequestIdentity() identity: Identity): Promise<object> {
    const { tenant, ...query } = parseBody(entriesListQuerySchema, raw ?? {});
    return this.browser.list(tenantOf(identity, tenant), query);
  }

  @Get('namespaces')
  @RouteAccess('stats')
  async namespaces(@Query('tenant') tenant: unknown, @RequestIdentity() identity: Identity): Promise<object> {
    if (tenant !== undefined && typeof tenant !== 'string')
      throw new StrataError(ErrorCode.InvalidRequest, 'tenant: give it once');
    return { namespaces: await this.browser.namespaces(tenantOf(identity, tenant)) };
  }

  @Post('import')
  @HttpCode(200)
  @RouteAccess('write')
  import(
    @Body() body: unknown,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    return this.importer.import(tenant, parseBody(importRequestSchema, body).entries, context);
  }
}
