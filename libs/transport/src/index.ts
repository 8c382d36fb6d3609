export { InProcessBus } from './in-process/in-process-bus';
export { InProcessClient } from './in-process/in-process.client';
export { InProcessServer } from './in-process/in-process.server';
export { requestReply } from './request-reply';
export { StrataRpcExceptionFilter } from './rpc-exception.filter';
export { parsePayload } from './parse-payload';
export { CACHE_CLIENT, EMBEDDING_CLIENT, EVENTS_CLIENT, INVALIDATION_CLIENT } from './client-tokens';
