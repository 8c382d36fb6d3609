import { type TopicSettings, topicTable } from '@strata/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTopics, parseTopicList, renderTopicList } from './topics.check';

describe(checkTopics.name, () => {
  const table: TopicSettings[] = [
    { topic: 'strata.cache.lookup.v1', configs: { 'retention.ms': '3600000' } },
    { topic: 'strata.data-changes.v1', configs: {} },
  ];
  const list = '# comment\nstrata.cache.lookup.v1 retention.ms=3600000\n\nstrata.data-changes.v1\n';
  const messages = (text: string, wanted: TopicSettings[] = table) => {
    const { errors, warnings } = checkTopics(text, wanted);
    return [...errors, ...warnings].map((f) => f.message);
  };

  it('accepts a well-formed list that has exactly the topics and settings of the table', () => {
    expect(messages(list)).toEqual([]);
    expect(parseTopicList(list)).toEqual(['strata.cache.lookup.v1', 'strata.data-changes.v1']);
  });

  it('refuses a list without a topic the services use, and warns about one they do not', () => {
    const { errors, warnings } = checkTopics(list, [table[0], { topic: 'strata.cache.store.v1', configs: {} }]);
    expect(errors.map((f) => f.message)).toEqual([
      'strata.cache.store.v1 is used by the services (libs/contracts) but missing from the list',
    ]);
    expect(warnings.map((f) => f.message)).toEqual([
      'strata.data-changes.v1 is not used by the services (libs/contracts)',
    ]);
  });

  it('refuses settings that differ from the table (a reply topic kept for the 7-day broker default)', () => {
    expect(
      messages('strata.cache.lookup.v1 retention.ms=604800000 segment.ms=600000\nstrata.data-changes.v1\n'),
    ).toEqual([
      'strata.cache.lookup.v1: retention.ms is 604800000 here but 3600000 in the topic table (libs/contracts/src/topic-settings.ts)',
      'strata.cache.lookup.v1: segment.ms is 600000 here but (unset) in the topic table (libs/contracts/src/topic-settings.ts)',
    ]);
  });

  it('refuses invalid names, duplicates and malformed configs', () => {
    const wanted = [
      { topic: 'strata/cache', configs: {} },
      { topic: 'strata.a.v1', configs: {} },
    ];
    expect(messages('strata/cache\nstrata.a.v1\nstrata.a.v1 retention.ms\n', wanted)).toEqual([
      '"strata/cache" is not a valid Kafka topic name',
      'strata.a.v1 is listed twice',
      'strata.a.v1: "retention.ms" is not a key=value topic config',
    ]);
  });

  it('reads back what it renders', () => {
    expect(checkTopics(renderTopicList(topicTable()), topicTable())).toEqual({ errors: [], warnings: [] });
  });

  it('the deploy list is the one generated from the table', () => {
    const text = readFileSync(join(__dirname, '../../../../deploy/base/kafka/topics.txt'), 'utf8');
    expect(text).toEqual(renderTopicList(topicTable()));
  });
});
