import { SetMetadata } from '@nestjs/common';

/** Metadata key read by the gateway's access guard. */
export const ROUTE_ACCESS = 'strata:route-access';

/**
 * Who may call a route (unmarked routes: any tenant, with its rate limit):
 * - `public`: anyone, no key (health probes);
 * - `operator`: with API keys configured, an admin key only (`/metrics`: it names tenants and models);
 * - `stats`: a tenant (its own numbers) or an admin key (everyone's);
 * - `write`: a tenant; changes cached data, so it has its own rate-limit bucket and, on a keyless public
 *   gateway, needs the keyless-writes opt-in.
 */
export type RouteAccessKind = 'public' | 'operator' | 'stats' | 'write';

export const RouteAccess = (kind: RouteAccessKind) => SetMetadata(ROUTE_ACCESS, kind);
