export { describeExactStoreContract } from './contracts/exact-store.contract';
export type { ExactStoreContractClock, ExactStoreFixture } from './contracts/exact-store.contract';
export { describeEmbeddingCacheContract } from './contracts/embedding-cache.contract';
export type { EmbeddingCacheFixture } from './contracts/embedding-cache.contract';
export { describeVectorIndexContract } from './contracts/vector-index.contract';
export type { VectorIndexContractClock, VectorIndexFixture } from './contracts/vector-index.contract';
export { FakeGate, FakeUpstream, fakeCompletion } from './fake-upstream/fake-upstream';
export type { FakeRule, FakeUpstreamOptions, FakeUpstreamRequest } from './fake-upstream/fake-upstream';
