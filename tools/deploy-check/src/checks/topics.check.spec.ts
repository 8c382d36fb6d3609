import { allTopics } from '@strata/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_CHANGES_TOPIC, checkTopics, parseTopicList } from './topics.check';

describe(checkTopics.name, () => {
  const list = '# comment\nstrata.cache.lookup.v1 retention.ms=3600000\n\nstrata.data-changes.v1\n';
  const messages = (text: string, required: string[]) => {
    const { errors, warnings } = checkTopics(text, required);
    return [...errors, ...warnings].map((f) => f.message);
  };

  it('accepts a well-formed list that has exactly the topics the services use', () => {
    expect(messages(list, ['strata.cache.lookup.v1', 'strata.data-changes.v1'])).toEqual([]);
    expect(parseTopicList(list)).toEqual(['strata.cache.lookup.v1', 'strata.data-changes.v1']);
  });

  it('refuses a list without a topic the services use, and warns about one they do not', () => {
    const { errors, warnings } = checkTopics(list, ['strata.cache.lookup.v1', 'strata.cache.store.v1']);
    expect(errors.map((f) => f.message)).toEqual([
      'strata.cache.store.v1 is used by the services (libs/contracts) but missing from the list',
    ]);
    expect(warnings.map((f) => f.message)).toEqual([
      'strata.data-changes.v1 is not used by the services (libs/contracts)',
    ]);
  });

  it('refuses invalid names, duplicates and malformed configs', () => {
    expect(messages('strata/cache\nstrata.a.v1\nstrata.a.v1 retention.ms\n', ['strata/cache', 'strata.a.v1'])).toEqual([
      '"strata/cache" is not a valid Kafka topic name',
      'strata.a.v1 is listed twice',
      'strata.a.v1: "retention.ms" is not a key=value topic config',
    ]);
  });

  it('the deploy list matches the contracts', () => {
    const text = readFileSync(join(__dirname, '../../../../deploy/base/kafka/topics.txt'), 'utf8');
    expect(checkTopics(text, allTopics([DATA_CHANGES_TOPIC]))).toEqual({ errors: [], warnings: [] });
  });
});
