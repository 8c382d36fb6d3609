import { Logger } from '@nestjs/common';
import { type StrataConfig } from '@strata/config';
import { DATA_CHANGES_TOPIC, type DataChangeEvent } from '@strata/contracts';
import { createKafkaClient, envelope } from '@strata/transport';
import { lastValueFrom } from 'rxjs';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Publishes one data-change event on `strata.data-changes.v1`, keyed by tenant, the way the gateway's
 * `/v1/invalidations` does (the transport lib's Kafka client, same envelope and headers). Brokers, TLS and
 * SASL come from `config.kafka`. No answer within `timeoutMs` is "unreachable" (exit 3).
 */
export async function publishToKafka(config: StrataConfig, event: DataChangeEvent, timeoutMs: number): Promise<void> {
  // The NestJS Kafka client logs broker retries to stdout; the CLI reports the outcome itself.
  Logger.overrideLogger(false);
  const client = createKafkaClient(config, `${config.kafka.clientId}-cli`, `${config.kafka.clientId}-cli`, []);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            'unreachable',
            `no answer from Kafka at ${config.kafka.brokers.join(',')} within ${timeoutMs / 1000} s`,
            ExitCode.Unreachable,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([
      (async () => {
        try {
          await client.connect();
        } catch (error) {
          throw new CliError(
            'unreachable',
            `cannot reach Kafka at ${config.kafka.brokers.join(',')}: ${describe(error)}`,
            ExitCode.Unreachable,
          );
        }
        try {
          await lastValueFrom(client.emit(DATA_CHANGES_TOPIC, envelope(event, event.tenant)), {
            defaultValue: undefined,
          });
        } catch (error) {
          throw new CliError(
            'kafka_error',
            `publishing to ${DATA_CHANGES_TOPIC} failed: ${describe(error)}`,
            ExitCode.Failure,
          );
        }
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}
