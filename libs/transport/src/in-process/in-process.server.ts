import { type CustomTransportStrategy, Server, BaseRpcContext } from '@nestjs/microservices';
import { lastValueFrom, isObservable } from 'rxjs';
import { type InProcessBus } from './in-process-bus';

class InProcessContext extends BaseRpcContext<[string]> {
  getPattern(): string {
    return this.args[0];
  }
}

/**
 * A NestJS transport strategy over the in-process bus: the same `@MessagePattern` / `@EventPattern`
 * handlers that serve Kafka in distributed mode serve the embedded default.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  private readonly unsubscribers: (() => void)[] = [];

  constructor(private readonly bus: InProcessBus) {
    super();
  }

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) {
        // Not `handleEvent`: it drops a failed handler's error, and with no redelivery in process that
        // would lose the event silently. The failure goes back to the publisher instead, as on a request.
        this.unsubscribers.push(
          this.bus.subscribe(pattern, async (data) => {
            const result: unknown = await handler(data, new InProcessContext([pattern]));
            if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          }),
        );
      } else {
        this.unsubscribers.push(
          this.bus.handle(pattern, async (data) => {
            const result: unknown = await handler(data, new InProcessContext([pattern]));
            return isObservable(result) ? lastValueFrom(result) : result;
          }),
        );
      }
    }
    callback();
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  on(): void {
    // The in-process bus has no connection events.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}
