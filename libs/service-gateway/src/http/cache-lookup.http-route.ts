import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { type LookupRequest, lookupRequestSchema } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { GatewayCache, describeHit } from '../cache-api/gateway-cache';
import { noteCacheOutcome } from './access-note';
import { CompiledSchema, type JsonSchema, untrimmedProperty } from './compiled-schema';
import { httpRequestContext } from './http-request-context';
import { type ReplayCapture } from './replay/replay-capture';
import { enforceLimits } from './request-limits';

/**
 * What the compiled lookup validator must reject for zod to decide: a model with whitespace at an end (zod trims it)
 * and anything but exactly one of `messages` and `prompt` (a zod refinement).
 */
export function tightenLookupSchema(schema: JsonSchema): JsonSchema {
  return { ...untrimmedProperty('model')(schema), oneOf: [{ required: ['messages'] }, { required: ['prompt'] }] };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * `POST /v1/cache/lookup`: parse, look up, shape the answer. A hot route, served by Fastify directly
 * (`FastifyHotRoutes`) rather than through NestJS's guard and parameter pipeline.
 */
@Injectable()
export class CacheLookupHttpRoute {
  private readonly body = new CompiledSchema<LookupRequest>(lookupRequestSchema, tightenLookupSchema);

  constructor(
    private readonly cache: GatewayCache,
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
  ) {}

  /**
   * `http`: the request, for its id (passed on, and the key of feedback on a hit) and its access-log line; `capture`:
   * where an L1 hit is recorded for replay.
   */
  async lookup(
    tenant: string,
    body: unknown,
    http: Pick<FastifyRequest, 'id'>,
    capture?: ReplayCapture,
  ): Promise<object> {
    const request = this.body.parse(body);
    enforceLimits(this.config.limits, request);
    const outcome = await this.cache.lookup(tenant, request, request.mode ?? 'auto', request.threshold, {
      explain: request.explain === true,
      context: httpRequestContext(http),
    });
    noteCacheOutcome(http, outcome.status.toUpperCase(), outcome.status === 'hit' ? outcome.tier : undefined);
    if (outcome.status === 'bypass') return { hit: false, status: 'bypass', reason: outcome.reason };
    const explain = outcome.explain === undefined ? {} : { explain: outcome.explain };
    if (outcome.status === 'miss')
      return {
        hit: false,
        status: 'miss',
        ...(outcome.ticket === undefined ? {} : { ticket: outcome.ticket }),
        // The semantic step was shed: its embedding would have come after the lookup's time.
        ...(outcome.semanticBusy === true ? { reason: 'semantic-busy' } : {}),
        ...explain,
      };
    const { entry } = outcome;
    const { id, age, ttl } = describeHit(outcome);
    if (capture !== undefined && outcome.tier === 'l1') {
      const hit = { tenant, namespace: this.cache.policy(request.namespace).name, model: request.model, entry };
      capture.answeredFromL1(tenant, entry.exactKey, entry);
      capture.effect((now, requestId, seconds) => this.cache.recordL1Hit(hit, now, requestId, seconds));
      capture.renderedWhile((now) => {
        const later = describeHit({ ...outcome, now });
        return later.age === age && later.ttl === ttl;
      });
    }
    return {
      hit: true,
      status: 'hit',
      tier: outcome.tier,
      id,
      ...(outcome.similarity === undefined ? {} : { similarity: round(outcome.similarity) }),
      ...(outcome.verified === true ? { verified: true } : {}),
      age,
      ttl,
      response: outcome.entry.response,
      ...explain,
    };
  }
}
