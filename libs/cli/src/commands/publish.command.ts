import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '@strata/config';
import {
  DATA_CHANGES_TOPIC,
  type DataChangeEvent,
  dataChangeEventSchema,
  invalidationRequestSchema,
} from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { collect, unitInterval, validated } from '../options';
import { DEFAULT_LIKE_SIMILARITY } from './purge.command';

interface PublishOptions {
  readonly tag?: string[];
  readonly namespace?: string;
  readonly entry?: string[];
  readonly like?: string;
  readonly minSimilarity: number;
  readonly action?: 'purge' | 'invalidate';
  readonly reason?: string;
  readonly id?: string;
  readonly kafka?: string;
  readonly tenant?: string;
}

/** The `/v1/invalidations` body the flags describe (validated by its contract). */
function invalidation(options: PublishOptions) {
  return validated(
    invalidationRequestSchema,
    {
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.tag === undefined ? {} : { tags: options.tag }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      ...(options.entry === undefined ? {} : { entryIds: options.entry }),
      ...(options.like === undefined ? {} : { semantic: { text: options.like, minSimilarity: options.minSimilarity } }),
      ...(options.action === undefined ? {} : { action: options.action }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    },
    'publish (give --tag, --namespace, --entry or --like)',
  );
}

async function publishDirect(
  options: PublishOptions & { kafka: string },
  timeoutMs: number,
): Promise<{ id: string; topic: string; status: string; tenant: string }> {
  const request = invalidation(options);
  let config;
  try {
    config = loadConfig(undefined, { kafka: { brokers: collect(options.kafka, []) } });
  } catch (error) {
    throw new UsageError(error instanceof ConfigError ? error.message : String(error));
  }
  const tenant = options.tenant ?? config.auth.defaultTenant;
  const event: DataChangeEvent = validated(
    dataChangeEventSchema,
    { ...request, id: request.id ?? randomUUID(), tenant, occurredAt: new Date().toISOString() },
    'data-change event',
  );
  // Loaded only here: NestJS' Kafka client is slow to load, and no other command needs it.
  const { publishToKafka } = await import('../kafka/kafka-publisher');
  await publishToKafka(config, event, timeoutMs);
  return { id: event.id, topic: DATA_CHANGES_TOPIC, status: 'published', tenant };
}

/** `strata publish`: a data-change event, through the gateway (`/v1/invalidations`) or straight to Kafka. */
export function publishCommand(context: CommandContext): Command {
  const command = new Command('publish')
    .description(
      `Publish a data-change event (${DATA_CHANGES_TOPIC}): the invalidation service purges what it selects from every tier and every gateway`,
    )
    .option('-t, --tag <tag>', 'entries tagged with this changed (repeatable, or comma-separated)', collect)
    .option('-n, --namespace <namespace>', 'the namespace (alone: all of it; with other selectors: only within it)')
    .option('--entry <id>', 'an entry id (repeatable)', collect)
    .option('--like <text>', 'entries whose question means about the same as this text')
    .option(
      '--min-similarity <cosine>',
      'with --like: the least cosine similarity, 0..1',
      unitInterval,
      DEFAULT_LIKE_SIMILARITY,
    )
    .addOption(
      new Option('--action <action>', 'purge now, or invalidate (unreachable at once, expire later)').choices([
        'purge',
        'invalidate',
      ]),
    )
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--id <id>', 'event id (idempotency: the same id is applied once); a UUID when omitted')
    .option(
      '--kafka <brokers>',
      'publish straight to Kafka (comma-separated brokers) instead of through the gateway; TLS/SASL from KAFKA_* variables',
    )
    .option(
      '--tenant <tenant>',
      'with --kafka: the tenant the event is for (default: STRATA_DEFAULT_TENANT, "default")',
    )
    .addHelpText(
      'after',
      `
Examples:
  strata publish --tag product:123 --reason "price changed"
  strata publish --namespace support --action invalidate
  strata publish --kafka kafka:9092 --tenant acme --tag product:123`,
    );
  return act(command, context, async (cmd) => {
    const options = cmd.opts<PublishOptions>();
    const output = context.output(cmd);
    if (options.kafka === undefined) {
      if (options.tenant !== undefined)
        throw new UsageError('--tenant needs --kafka (through the gateway, the key decides the tenant)');
      const reply = (await context.client(cmd).call('POST', '/v1/invalidations', invalidation(options))) as {
        id?: string;
        topic?: string;
      };
      output.result(reply, () => `published ${reply.id ?? '?'} on ${reply.topic ?? DATA_CHANGES_TOPIC}`);
      return ExitCode.Ok;
    }
    const published = await publishDirect({ ...options, kafka: options.kafka }, context.globals(cmd).timeout * 1000);
    output.result(
      published,
      () => `published ${published.id} on ${published.topic} (tenant ${published.tenant}) via Kafka`,
    );
    return ExitCode.Ok;
  });
}
