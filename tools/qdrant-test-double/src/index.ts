export { QDRANT_TEST_DOUBLE_VERSION, QdrantTestDouble } from './qdrant-test-double';
export type { QdrantTestDoubleOptions, QdrantTestDoubleRequest, RunningQdrantTestDouble } from './qdrant-test-double';
