export { QdrantVectorIndex } from './qdrant-vector-index';
export type { QdrantVectorIndexOptions } from './qdrant-vector-index';
export { QdrantIndexError } from './qdrant-index-error';
export { collectionName } from './collection-name';
