export { GatewayModule } from './gateway.module';
export { GATEWAY_RESPONSE_HEADERS } from './public/edge-headers';
export type { GatewayOptions } from './gateway.module';
export { GatewayCache } from './cache-api/gateway-cache';
export { HitRecorder } from './cache-api/hit-recorder';
export { HttpExceptionFilter, toErrorResponse } from './http/http-exception.filter';
export { L1Cache } from './l1/l1-cache';
export { accessNoteOf } from './http/access-note';
export type { AccessNote } from './http/access-note';
