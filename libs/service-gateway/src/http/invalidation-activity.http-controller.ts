import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ErrorCode, INVALIDATION, type Invalidation, StrataError } from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { RequestIdentity, readScope } from '../auth/request-identity';
import { type Identity } from '../auth/tenant-resolver';

const RECENT_TIMEOUT_MS = 5_000;

/**
 * `GET /v1/invalidations/recent`: the data-change events and dead letters the invalidation service handled last.
 * A tenant key sees its own; an admin key everyone's, or one tenant's with `?tenant=`.
 */
@Controller('v1/invalidations')
export class InvalidationActivityHttpController {
  constructor(@Inject(INVALIDATION) private readonly invalidation: Invalidation) {}

  @Get('recent')
  @RouteAccess('stats')
  recent(@Query('tenant') tenant: unknown, @RequestIdentity() identity: Identity): Promise<object> {
    if (tenant !== undefined && (typeof tenant !== 'string' || tenant === ''))
      throw new StrataError(ErrorCode.InvalidRequest, 'tenant: give one tenant name');
    const scope = readScope(identity, tenant);
    return this.invalidation.recent(scope === undefined ? {} : { tenant: scope }, { timeoutMs: RECENT_TIMEOUT_MS });
  }
}
