import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { Correlation } from '@strata/observability';
import { InProcessBus } from './in-process/in-process-bus';
import { InProcessClient } from './in-process/in-process.client';
import { InProcessServer } from './in-process/in-process.server';
import { envelope } from './message-envelope';
import { requestReply } from './request-reply';

@Controller()
class EchoController {
  @MessagePattern('test.echo.v1')
  echo(data: { n: number }): { n: number; requestId: string | undefined } {
    return { n: data.n, requestId: Correlation.id() };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('correlation ids', () => {
  it('puts the current id in the message headers, next to the key and the payload', () => {
    expect(Correlation.run('req-1', () => envelope({ a: 1 }, 'tenant'))).toEqual({ key: 'tenant', value: { a: 1 }, headers: { 'x-request-id': 'req-1' } });
    expect(envelope({ a: 1 })).toEqual({ value: { a: 1 } });
  });

  it('reach the handler of a request sent through the in-process transport, which gets the bare payload', async () => {
    const bus = new InProcessBus();
    const app = await NestFactory.createMicroservice(EchoModule, { strategy: new InProcessServer(bus), logger: false });
    await app.listen();
    const client = new InProcessClient(bus);
    const reply = await Correlation.run('req-42', () => requestReply<{ n: number; requestId?: string }>(client, 'test.echo.v1', { n: 7 }, 1_000));
    expect(reply).toEqual({ n: 7, requestId: 'req-42' });
    await app.close();
  });
});
