import { type ClientProxy, type CustomTransportStrategy } from '@nestjs/microservices';
import { InProcessBus, InProcessClient, InProcessServer } from '@strata/transport';
import { type TransportFactory } from './transport-factory';

/** The embedded default's transport: every service in this process on one in-process bus. */
export class InProcessTransportFactory implements TransportFactory {
  private readonly bus = new InProcessBus();

  server(): CustomTransportStrategy {
    return new InProcessServer(this.bus);
  }

  client(): ClientProxy {
    return new InProcessClient(this.bus);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
