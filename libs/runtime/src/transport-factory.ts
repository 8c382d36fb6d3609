import { type ClientProxy, type CustomTransportStrategy } from '@nestjs/microservices';

export type ServiceName = 'gateway' | 'cache' | 'embedding' | 'invalidation';

/**
 * What differs between the embedded default and distributed mode on the wire: the server strategy a
 * service consumes with, and the clients it reaches other services through.
 */
export interface TransportFactory {
  server(service: ServiceName): CustomTransportStrategy;
  /** A client whose requests are served by `target` (events go to whoever subscribes). */
  client(from: ServiceName, target: ServiceName | 'events'): ClientProxy;
  close(): Promise<void>;
}
