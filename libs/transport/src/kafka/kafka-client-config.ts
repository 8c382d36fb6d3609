import { type StrataConfig } from '@strata/config';
import { type ConsumerConfig, type KafkaConfig, Partitioners, type ProducerConfig, logLevel } from 'kafkajs';

/**
 * How long an idle Fetch waits at the broker. Data wakes it at once, so this bounds only idle polling — and the
 * time a consumer takes to notice a rebalance or to stop (kafkajs heartbeats between fetches). Every idle fetch
 * costs each service a few milliseconds of CPU (a request listing every partition of every subscribed topic):
 * at 500 ms a service's idle consumers took ~5 % of a core. kafkajs' default is 5 s.
 */
export const FETCH_MAX_WAIT_MS = 2_000;

/** kafkajs client settings from Strata's config: brokers, TLS and SASL for managed Kafka, retries. */
export function kafkaClientConfig(config: StrataConfig, clientId: string): KafkaConfig {
  const { kafka } = config;
  return {
    clientId,
    brokers: kafka.brokers,
    ssl: kafka.ssl,
    ...(kafka.sasl
      ? {
          sasl: {
            mechanism: kafka.sasl.mechanism,
            username: kafka.sasl.username,
            password: kafka.sasl.password,
          } as KafkaConfig['sasl'],
        }
      : {}),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    logLevel: config.log.level === 'debug' || config.log.level === 'trace' ? logLevel.INFO : logLevel.ERROR,
  };
}

export function kafkaConsumerConfig(config: StrataConfig, groupId: string): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(config.kafka.sessionTimeoutMs / 5)),
    rebalanceTimeout: Math.max(config.kafka.sessionTimeoutMs, 10_000),
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 200, maxRetryTime: 10_000, retries: 10 },
  };
}

export function kafkaProducerConfig(): ProducerConfig {
  return {
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100 },
  };
}
