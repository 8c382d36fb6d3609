import { allTopics } from './topics';
import { topicSettings, topicTable } from './topic-settings';

const HOUR = '3600000';
const TEN_MINUTES = '600000';
const DAY = '86400000';

describe('topicTable', () => {
  /** Pinned: a change here changes what the services and the kafka-topics Job apply to every cluster. */
  it('holds these settings', () => {
    const rows = Object.fromEntries(topicTable().map((t) => [t.topic, t.configs]));
    const short = { 'cleanup.policy': 'delete', 'retention.ms': HOUR, 'segment.ms': TEN_MINUTES };
    const durable = { 'cleanup.policy': 'delete', 'retention.ms': DAY, 'segment.ms': HOUR };
    const dlq = { 'cleanup.policy': 'delete', 'retention.ms': '1209600000' };
    expect(rows).toEqual({
      'strata.cache.lookup.v1': short,
      'strata.cache.store.v1': durable,
      'strata.cache.entry.get.v1': short,
      'strata.cache.stats.v1': short,
      'strata.cache.ticket.v1': short,
      'strata.cache.purge.v1': durable,
      'strata.cache.entries.list.v1': short,
      'strata.cache.namespaces.v1': short,
      'strata.cache.hits.v1': short,
      'strata.invalidation.purge.v1': durable,
      'strata.invalidation.recent.v1': short,
      'strata.embedding.embed.v1': short,
      'strata.cache.feedback.v1': short,
      'strata.cache.lookup.v1.reply': short,
      'strata.cache.store.v1.reply': short,
      'strata.cache.entry.get.v1.reply': short,
      'strata.cache.stats.v1.reply': short,
      'strata.cache.ticket.v1.reply': short,
      'strata.cache.purge.v1.reply': short,
      'strata.cache.entries.list.v1.reply': short,
      'strata.cache.namespaces.v1.reply': short,
      'strata.cache.hits.v1.reply': short,
      'strata.invalidation.purge.v1.reply': short,
      'strata.invalidation.recent.v1.reply': short,
      'strata.embedding.embed.v1.reply': short,
      'strata.cache.feedback.v1.reply': short,
      'strata.cache.lookup.v1.dlq': dlq,
      'strata.cache.store.v1.dlq': dlq,
      'strata.cache.entry.get.v1.dlq': dlq,
      'strata.cache.stats.v1.dlq': dlq,
      'strata.cache.ticket.v1.dlq': dlq,
      'strata.cache.purge.v1.dlq': dlq,
      'strata.cache.entries.list.v1.dlq': dlq,
      'strata.cache.namespaces.v1.dlq': dlq,
      'strata.cache.hits.v1.dlq': dlq,
      'strata.invalidation.purge.v1.dlq': dlq,
      'strata.invalidation.recent.v1.dlq': dlq,
      'strata.embedding.embed.v1.dlq': dlq,
      'strata.cache.feedback.v1.dlq': dlq,
      'strata.l1.evict.v1': short,
      'strata.data-changes.v1': { 'cleanup.policy': 'delete', 'retention.ms': '604800000' },
      'strata.l1.evict.v1.dlq': dlq,
      'strata.data-changes.v1.dlq': dlq,
    });
  });

  it('covers every topic the services use, once', () => {
    expect(topicTable().map((t) => t.topic)).toEqual(allTopics());
  });

  it('rolls segments well within the retention, so a short retention applies', () => {
    for (const { topic, configs } of topicTable()) {
      if (configs['segment.ms'] !== undefined)
        expect({ topic, ok: Number(configs['segment.ms']) <= Number(configs['retention.ms']) / 2 }).toEqual({
          topic,
          ok: true,
        });
    }
  });

  it('refuses a topic that is not in the table', () => {
    expect(() => topicSettings('strata.unknown.v1')).toThrow(/no settings for topic strata.unknown.v1/);
  });
});
