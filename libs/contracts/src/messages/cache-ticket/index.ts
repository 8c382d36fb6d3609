import { z } from 'zod';

/**
 * gateway → cache, request-reply: the tenant's current purge generation, for an answer about to be
 * computed without a lookup first (forced refresh, max-age refetch, stale-while-revalidate): its store
 * then carries a ticket like any store after a miss.
 */
export const CACHE_TICKET_TOPIC = 'strata.cache.ticket.v1';

export const cacheTicketRequestSchema = z.object({ tenant: z.string().min(1) });
export type CacheTicketRequest = z.infer<typeof cacheTicketRequestSchema>;

export const cacheTicketReplySchema = z.object({ ticket: z.number().int().min(0) });
export type CacheTicketReply = z.infer<typeof cacheTicketReplySchema>;
