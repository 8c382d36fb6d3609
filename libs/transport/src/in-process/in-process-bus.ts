import { ErrorCode, StrataError } from '@strata/contracts';

type RequestHandler = (data: unknown) => Promise<unknown>;
type EventHandler = (data: unknown) => Promise<void>;

/**
 * The embedded default's message broker: one per process, shared by the services' in-process servers
 * and clients. Request patterns are served by one handler (round-robin when several services register
 * the same pattern); events reach every subscriber, like a Kafka topic consumed in one group per
 * subscriber. Delivery is asynchronous (next microtask), as over a network, so no caller can depend on
 * a handler running inside its own stack.
 */
export class InProcessBus {
  private readonly requestHandlers = new Map<string, RequestHandler[]>();
  private readonly eventHandlers = new Map<string, EventHandler[]>();
  private readonly turn = new Map<string, number>();

  handle(pattern: string, handler: RequestHandler): () => void {
    return this.add(this.requestHandlers, pattern, handler);
  }

  subscribe(pattern: string, handler: EventHandler): () => void {
    return this.add(this.eventHandlers, pattern, handler);
  }

  async request(pattern: string, data: unknown): Promise<unknown> {
    const handlers = this.requestHandlers.get(pattern);
    if (!handlers || handlers.length === 0) {
      throw new StrataError(ErrorCode.CacheUnavailable, `no service handles "${pattern}"`);
    }
    const i = (this.turn.get(pattern) ?? 0) % handlers.length;
    this.turn.set(pattern, i + 1);
    await Promise.resolve();
    return (handlers[i])(data);
  }

  /** Resolves when every subscriber has handled the event (so a purge can be confirmed end to end). */
  async emit(pattern: string, data: unknown): Promise<void> {
    const handlers = this.eventHandlers.get(pattern) ?? [];
    await Promise.resolve();
    await Promise.all(handlers.map((handler) => handler(data)));
  }

  private add<H>(registry: Map<string, H[]>, pattern: string, handler: H): () => void {
    const list = registry.get(pattern) ?? [];
    list.push(handler);
    registry.set(pattern, list);
    return () => {
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
    };
  }
}
