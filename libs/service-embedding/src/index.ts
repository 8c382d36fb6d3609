export { EmbeddingServiceModule } from './embedding-service.module';
export type { EmbeddingServiceModuleOptions } from './embedding-service.module';
export { DirectEmbeddings } from './direct-embeddings';
