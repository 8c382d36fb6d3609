/**
 * The header that carries a request's id over HTTP (in and out) and on the Kafka messages it causes. The id itself
 * travels explicitly, as `RequestContext` (`@strata/contracts`): no AsyncLocalStorage — once used, one installs
 * async hooks that every promise in the process pays for.
 */
export const CORRELATION_HEADER = 'x-request-id';
