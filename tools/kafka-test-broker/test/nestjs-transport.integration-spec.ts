import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientKafka,
  EventPattern,
  MessagePattern,
  type MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { logLevel } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { KafkaTestBroker } from '../src';
import { eventually } from './support/eventually';
import { FAST_CONSUMER } from './support/kafka-harness';

interface QuoteRequest {
  readonly items: number[];
}

const audits: unknown[] = [];

@Controller()
class PricingController {
  @MessagePattern('nest.quote')
  quote(@Payload() request: QuoteRequest): { total: number } {
    return { total: request.items.reduce((sum, item) => sum + item, 0) };
  }

  @EventPattern('nest.audit')
  audit(@Payload() event: unknown): void {
    audits.push(event);
  }
}

@Module({ controllers: [PricingController] })
class PricingModule {}

describe('KafkaTestBroker with the NestJS 11 Kafka transport', () => {
  let broker: KafkaTestBroker;
  let server: INestMicroservice;
  let client: ClientKafka;

  beforeAll(async () => {
    broker = await KafkaTestBroker.start();
    const kafkaClient = { brokers: [broker.brokers], logLevel: logLevel.NOTHING };
    server = await NestFactory.createMicroservice<MicroserviceOptions>(PricingModule, {
      transport: Transport.KAFKA,
      options: {
        client: { ...kafkaClient, clientId: 'pricing' },
        consumer: { ...FAST_CONSUMER, groupId: 'pricing' },
        subscribe: { fromBeginning: true },
      },
      logger: false,
    });
    await server.listen();
    client = new ClientKafka({
      client: { ...kafkaClient, clientId: 'checkout' },
      consumer: { ...FAST_CONSUMER, groupId: 'checkout' },
      subscribe: { fromBeginning: true },
    });
    client.subscribeToResponseOf('nest.quote');
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await server.close();
    await broker.stop();
  });

  it('answers a @MessagePattern request sent with ClientKafka.send', async () => {
    const reply = await lastValueFrom(client.send<{ total: number }>('nest.quote', { items: [1, 2, 3.5] }));

    expect(reply).toEqual({ total: 6.5 });
  });

  it('delivers a ClientKafka.emit event to the @EventPattern handler', async () => {
    await lastValueFrom(client.emit('nest.audit', { action: 'priced', order: 42 }));

    await eventually(() => expect(audits).toEqual([{ action: 'priced', order: 42 }]));
  });
});
