export { describeExactStoreContract } from './contracts/exact-store.contract';
export { describeExactReadsContract } from './contracts/exact-reads.contract';
export type { ExactReadsFixture } from './contracts/exact-reads.contract';
export type { ExactStoreContractClock, ExactStoreFixture } from './contracts/exact-store.contract';
export { describeEmbeddingCacheContract } from './contracts/embedding-cache.contract';
export type { EmbeddingCacheFixture } from './contracts/embedding-cache.contract';
export { describeVectorIndexContract } from './contracts/vector-index.contract';
export type { VectorIndexContractClock, VectorIndexFixture } from './contracts/vector-index.contract';
export { FakeGate, FakeUpstream, fakeCompletion } from './fake-upstream/fake-upstream';
export type { FakeRule, FakeUpstreamOptions, FakeUpstreamRequest } from './fake-upstream/fake-upstream';
export { eventually } from './failure/eventually';
export { FakeEmbeddingsServer } from './failure/fake-embeddings-server';
export { jsonClient } from './failure/json-client';
export type { JsonReply, JsonRequest } from './failure/json-client';
export { metricValue } from './failure/prometheus-text';
export { LocalRedisCluster } from './failure/redis-cluster';
export { RedisServerProcess } from './failure/redis-server-process';
export {
  MAX_FIELDS_PER_TENANT,
  RETENTION_MS,
  describeProcessedEventsContract,
  describePurgeGenerationsContract,
} from './contracts/purge-generations.contract';
export type { ProcessedEventsFixture, PurgeGenerationsFixture } from './contracts/purge-generations.contract';
export { describeEntryCatalogContract } from './contracts/entry-catalog.contract';
export { describeWarmRecordingsContract } from './contracts/warm-recordings.contract';
export type { WarmRecordingsFixture } from './contracts/warm-recordings.contract';
export { describeHitVerdictsContract } from './contracts/hit-verdicts.contract';
export type { HitVerdictsFixture } from './contracts/hit-verdicts.contract';
export type { EntryCatalogFixture } from './contracts/entry-catalog.contract';
