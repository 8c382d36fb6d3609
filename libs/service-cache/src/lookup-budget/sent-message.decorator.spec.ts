import { type ExecutionContext } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { sentMessageOf } from './sent-message.decorator';

/** A handler's host serving `context`, as NestJS hands it to a parameter decorator. */
const hostOf = (context: unknown) =>
  ({ switchToRpc: () => ({ getContext: () => context, getData: () => undefined }) }) as Pick<
    ExecutionContext,
    'switchToRpc'
  >;

/** A consumed request as the Kafka server builds its context: the message parsed (headers decoded to strings). */
const kafkaContext = (message: object) =>
  new KafkaContext([
    message,
    0,
    'strata.cache.lookup.v1',
    undefined,
    undefined,
    undefined,
  ] as unknown as ConstructorParameters<typeof KafkaContext>[0]);

describe('sentMessageOf', () => {
  it("reads a Kafka request's CreateTime and names its sender by its reply topic and partition", () => {
    const message = {
      timestamp: '1764950000123',
      headers: {
        kafka_replyTopic: 'strata.cache.lookup.v1.reply',
        kafka_replyPartition: '3',
        kafka_correlationId: 'x',
      },
    };

    expect(sentMessageOf(hostOf(kafkaContext(message)))).toEqual({
      sender: 'strata.cache.lookup.v1.reply/3',
      at: 1764950000123,
    });
  });

  it('reads raw header buffers too, and no send time from a message without one', () => {
    const message = { headers: { kafka_replyTopic: Buffer.from('r'), kafka_replyPartition: [Buffer.from('0')] } };

    expect(sentMessageOf(hostOf(kafkaContext(message)))).toEqual({ sender: 'r/0', at: NaN });
  });

  it('is undefined for anything but a Kafka message', () => {
    expect(sentMessageOf(hostOf({}))).toBeUndefined();
  });
});
