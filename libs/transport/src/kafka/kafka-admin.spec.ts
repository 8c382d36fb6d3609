import { allTopics } from '@strata/contracts';
import { KafkaAdmin, topicCreations } from './kafka-admin';

describe(KafkaAdmin.name, () => {
  describe(topicCreations.name, () => {
    const kafka = { partitions: 12, replicationFactor: 3 };

    it('creates a reply topic with the configured partitions and a one-hour retention, not the broker default', () => {
      expect(topicCreations(['strata.cache.lookup.v1.reply'], kafka)).toEqual([
        {
          topic: 'strata.cache.lookup.v1.reply',
          numPartitions: 12,
          replicationFactor: 3,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '3600000' },
            { name: 'segment.ms', value: '600000' },
          ],
        },
      ]);
    });

    it("leaves a topic outside the table (a test's own) to the broker defaults", () => {
      expect(topicCreations(['strata.test.echo.v1'], kafka)[0]?.configEntries).toEqual([]);
    });

    it('gives every topic Strata uses a retention and a cleanup policy', () => {
      for (const creation of topicCreations(allTopics(), kafka)) {
        expect(creation.configEntries?.map((c) => c.name)).toEqual(
          expect.arrayContaining(['cleanup.policy', 'retention.ms']),
        );
      }
    });
  });
});
