import { Controller, type INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { type RequestContext } from '@strata/contracts';
import { loadConfig } from '@strata/config';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only tool, never a runtime dependency
import { KafkaTestBroker } from '../../../../tools/kafka-test-broker/src';
import { parsePayload } from '../parse-payload';
import { StrataRpcExceptionFilter } from '../rpc-exception.filter';
import { KafkaAdmin } from './kafka-admin';
import { createKafkaRequester, createKafkaServer } from './kafka-endpoints';
import { type KafkaRequester } from './kafka-requester';
import { MessageRequestContext } from '../request-context';

const ECHO = 'strata.test.echo.v1';
const EVENTS = 'strata.test.events.v1';
const eventSchema = z.object({ id: z.string() });

/** Records what the handlers saw. */
const seen = { attempts: new Map<string, number>(), applied: [] as string[] };

@Controller()
@UseFilters(StrataRpcExceptionFilter)
class TestController {
  @MessagePattern(ECHO)
  echo(
    @Payload() data: { n: number },
    @MessageRequestContext() context: RequestContext,
  ): { n: number; requestId: string | undefined } {
    return { n: data.n, requestId: context.requestId };
  }

  @EventPattern(EVENTS)
  apply(@Payload() data: unknown): void {
    const { id } = parsePayload(eventSchema, data, EVENTS);
    const attempt = (seen.attempts.get(id) ?? 0) + 1;
    seen.attempts.set(id, attempt);
    if (id.startsWith('flaky') && attempt < 3) throw new Error(`transient failure ${attempt}`);
    if (id.startsWith('poison')) throw new Error('always fails');
    seen.applied.push(id);
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('StrataServerKafka (NestJS Kafka transport over the wire-level broker)', () => {
  let broker: KafkaTestBroker;
  let service: INestMicroservice;
  let client: KafkaRequester;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await KafkaTestBroker.start({ autoCreateTopics: false });
    const config = loadConfig(
      {},
      { kafka: { brokers: [broker.brokers], partitions: 2, sessionTimeoutMs: 6_000 }, log: { level: 'silent' } },
    );
    const admin = new KafkaAdmin(config, 'test-admin');
    await admin.waitForBroker();
    await admin.ensureTopics([ECHO, `${ECHO}.reply`, EVENTS, `${EVENTS}.dlq`]);
    await admin.close();
    service = await NestFactory.createMicroservice(TestModule, {
      strategy: createKafkaServer(config, 'test-service', 'test-service'),
      logger: false,
    });
    await service.listen();
    client = createKafkaRequester(config, 'test-caller', 'test-caller', [ECHO]);
    await client.connect();
    kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await broker?.stop();
  });

  async function publish(value: string): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: EVENTS, messages: [{ key: 'acme', value }] });
    await producer.disconnect();
  }

  it('carries the request id a message is sent for to the handler that serves it', async () => {
    const reply = await client.request(ECHO, { n: 3 }, { timeoutMs: 15_000, requestId: 'req-7' });
    expect(reply).toEqual({ n: 3, requestId: 'req-7' });
  });

  it('gives a handler no request id for a message no request caused', async () => {
    const reply = await client.request(ECHO, { n: 4 }, { timeoutMs: 15_000 });
    expect(reply).toEqual({ n: 4 });
  });

  it('redelivers an event whose handler failed transiently, and applies it once it succeeds', async () => {
    await publish(JSON.stringify({ id: 'flaky-1' }));
    await until(() => seen.applied.includes('flaky-1'));
    expect(seen.attempts.get('flaky-1')).toBe(3);
    expect(seen.applied.filter((id) => id === 'flaky-1')).toHaveLength(1);
  });

  it('dead-letters a malformed event and a poison one, and goes on with the next', async () => {
    const dead: { reason: string; origin: { topic: string } }[] = [];
    const dlq = kafka.consumer({ groupId: 'dlq-reader' });
    await dlq.connect();
    await dlq.subscribe({ topic: `${EVENTS}.dlq`, fromBeginning: true });
    await dlq.run({
      eachMessage: ({ message }) => {
        dead.push(JSON.parse(message.value!.toString()));
        return Promise.resolve();
      },
    });
    await publish('{"not json');
    await publish(JSON.stringify({ id: 'poison-1' }));
    await publish(JSON.stringify({ id: 'after-1' }));
    await until(() => seen.applied.includes('after-1') && dead.length >= 2, 40_000);
    await dlq.disconnect();
    expect(dead.map((d) => d.origin.topic)).toEqual([EVENTS, EVENTS]);
    expect(dead[0].reason).toMatch(/strata\.test\.events\.v1/);
    expect(dead[1].reason).toMatch(/failed 10 times: always fails/);
    expect(seen.attempts.get('poison-1')).toBe(10);
  }, 60_000);
});
