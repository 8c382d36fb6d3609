import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  DATA_CHANGES_TOPIC,
  type DataChangeEvent,
  INVALIDATION,
  type Invalidation,
  type RequestContext,
  invalidationRequestSchema,
} from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { TenantId } from '../auth/request-identity';
import { HttpRequestContext } from './http-request-context';
import { parseBody } from './parse-body';

/**
 * `POST /v1/invalidations`: publishes a data-change event for the caller's tenant on
 * `strata.data-changes.v1`, exactly as a user's own producer would; the invalidation service applies it
 * across every tier and every gateway. Answers 202 once the event is published.
 */
@Controller('v1/invalidations')
export class InvalidationsHttpController {
  constructor(@Inject(INVALIDATION) private readonly invalidation: Invalidation) {}

  @Post()
  @HttpCode(202)
  @RouteAccess('write')
  async publish(
    @Body() body: unknown,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<object> {
    const request = parseBody(invalidationRequestSchema, body);
    const event: DataChangeEvent = {
      id: request.id ?? randomUUID(),
      tenant,
      tags: request.tags ?? [],
      ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
      ...(request.entryIds === undefined ? {} : { entryIds: request.entryIds }),
      ...(request.semantic === undefined ? {} : { semantic: request.semantic }),
      ...(request.user === undefined ? {} : { user: request.user }),
      action: request.action ?? 'purge',
      ...(request.reason === undefined ? {} : { reason: request.reason }),
      occurredAt: new Date().toISOString(),
    };
    await this.invalidation.publish(event, context);
    return { id: event.id, topic: DATA_CHANGES_TOPIC, status: 'published' };
  }
}
