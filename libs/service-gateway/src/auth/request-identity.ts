import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ErrorCode, StrataError } from '@strata/contracts';
import { type Identity } from './tenant-resolver';

/** Identities the access guard decided, by request object (the same object reaches guards and handlers). */
const identities = new WeakMap<object, Identity>();

export function rememberIdentity(request: object, identity: Identity): void {
  identities.set(request, identity);
}

/** The caller the access guard decided for this request object, if it decided one. */
export function identityOf(request: object): Identity | undefined {
  return identities.get(request);
}

function requiredIdentity(context: ExecutionContext): Identity {
  const identity = identities.get(context.switchToHttp().getRequest<object>());
  // Only a route the access guard skipped (marked public) can get here; none of those ask who is calling.
  if (!identity) throw new StrataError(ErrorCode.Unauthorized, 'no API key was checked for this request');
  return identity;
}

/** The caller as the access guard decided it: a tenant or an admin. */
export const RequestIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): Identity =>
  requiredIdentity(context),
);

/** The tenant of a caller on a tenant route (an admin key gets the 401 that says which routes it may read). */
export function tenantOf(identity: Identity): string {
  if (identity.kind !== 'tenant')
    throw new StrataError(
      ErrorCode.Unauthorized,
      'admin keys only read /v1/cache/stats and /metrics; use a tenant key',
    );
  return identity.tenant;
}

/**
 * The tenant a read that admits both kinds of key is scoped to: a tenant key's own (naming another with `?tenant=` is
 * refused), an admin key's `?tenant=` — undefined when it named none, for the routes where that means every tenant.
 */
export function readScope(identity: Identity, requested: string | undefined): string | undefined {
  if (identity.kind === 'admin') return requested;
  if (requested !== undefined && requested !== identity.tenant)
    throw new StrataError(ErrorCode.Unauthorized, 'a tenant key reads only its own tenant; leave out "tenant"');
  return identity.tenant;
}

/** The calling tenant (routes that admit admin keys use `RequestIdentity`). */
export const TenantId = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  tenantOf(requiredIdentity(context)),
);
