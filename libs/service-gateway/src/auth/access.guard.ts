import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { STRATA_CONFIG, StrataConfig, isLoopbackHost } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { ROUTE_ACCESS, type RouteAccessKind, StrataMetrics } from '@strata/observability';
import { type FastifyRequest } from 'fastify';
import { RateLimitedError } from '../openai/http/proxy-access';
import { TokenBucketLimiter, configuredLimits } from '../openai/rate-limit/token-bucket-limiter';
import { rememberIdentity } from './request-identity';
import { type Identity, TenantResolver } from './tenant-resolver';

/** What the access decision reads of a request: its headers and the client's address (Fastify's `request.ip`). */
export type AdmittedRequest = Pick<FastifyRequest, 'headers' | 'ip'>;

/** 429 for an address whose failed authentications used up their budget (no key is even looked at). */
class AuthThrottledError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `too many failed authentications from this address; retry in ${retryAfterSeconds} s`;
  }
}

/**
 * Every HTTP route of the gateway passes here first (registered as the app guard): who is calling (one
 * precedence rule, `TenantResolver`), whether that caller may use this route (`RouteAccess`), failed
 * authentication limited per client address, and the tenant's rate limit — `write` routes (stores,
 * deletes, purges, invalidations) in a bucket of their own, everything else in one shared bucket.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly metrics = StrataMetrics.shared();
  private readonly limiter: TokenBucketLimiter;
  private readonly failures: TokenBucketLimiter;
  private readonly keylessPublic: boolean;
  private readonly keylessWrites: boolean;

  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantResolver,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    const limitOf = configuredLimits(config.rateLimit);
    // Bucket keys are `<bucket>\0<tenant>`: the limit is the tenant's.
    this.limiter = new TokenBucketLimiter((key) => limitOf(key.slice(key.indexOf('\u0000') + 1)));
    const perMinute = config.auth.failuresPerMinute;
    this.failures = new TokenBucketLimiter(() => ({ requestsPerSecond: perMinute / 60, burst: perMinute }));
    this.keylessPublic = !isLoopbackHost(config.http.host);
    this.keylessWrites = config.auth.keylessWrites;
  }

  canActivate(context: ExecutionContext): boolean {
    // Message handlers (L1 evictions) are not HTTP routes.
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccessKind | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === 'public') return true;
    this.admit(context.switchToHttp().getRequest<FastifyRequest>(), access);
    return true;
  }

  /**
   * The access decision for one request to a route of kind `access` (unmarked: an ordinary tenant route), throwing
   * the 401 or 429 that refuses it; remembered for the request (its handler and access-log line read it). Routes
   * served by Fastify directly (the hot routes) call it as the guard does.
   */
  admit(request: AdmittedRequest, access: RouteAccessKind | undefined): Identity {
    const identity = this.identify(request, access);
    rememberIdentity(request, identity);
    this.limit(identity, access);
    return identity;
  }

  /** `admit` without remembering the identity on the request (the gateway's front door keeps it itself). */
  decide(request: AdmittedRequest, access: RouteAccessKind | undefined): Identity {
    const identity = this.identify(request, access);
    this.limit(identity, access);
    return identity;
  }

  private identify(request: AdmittedRequest, access: RouteAccessKind | undefined): Identity {
    if (!this.tenants.authRequired) {
      if (access === 'write' && this.keylessPublic && !this.keylessWrites) {
        throw new StrataError(
          ErrorCode.Unauthorized,
          'this gateway has no API keys and listens beyond loopback: cache writes are off (configure STRATA_API_KEYS, or STRATA_KEYLESS_WRITES=true)',
        );
      }
      return this.tenants.identify(request.headers);
    }
    const address = request.ip;
    const blocked = this.failures.peek(address);
    if (!blocked.allowed) {
      throw new AuthThrottledError(blocked.retryAfterSeconds);
    }
    let identity: Identity;
    try {
      identity = this.tenants.identify(request.headers);
    } catch (error) {
      this.failures.take(address);
      this.metrics.authFailures.inc();
      throw error;
    }
    if (access === 'operator' && identity.kind !== 'admin') {
      throw new StrataError(
        ErrorCode.Unauthorized,
        'this endpoint needs an admin key (STRATA_ADMIN_KEYS); Prometheus can scrape STRATA_METRICS_PORT instead',
      );
    }
    if (identity.kind === 'admin' && access !== 'operator' && access !== 'stats') {
      throw new StrataError(
        ErrorCode.Unauthorized,
        'admin keys only read /v1/cache/stats and /metrics; use a tenant key',
      );
    }
    return identity;
  }

  /** The tenant's rate limit: `write` routes (stores, deletes, purges, invalidations) in a bucket of their own. */
  private limit(identity: Identity, access: RouteAccessKind | undefined): void {
    if (identity.kind !== 'tenant') return;
    const tenant = identity.tenant;
    const bucket = access === 'write' ? 'write' : 'api';
    const decision = this.limiter.take(`${bucket}\u0000${tenant}`);
    if (decision.allowed) return;
    this.metrics.rateLimited.inc({ tenant });
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}
