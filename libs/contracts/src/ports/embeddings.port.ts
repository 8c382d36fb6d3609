import { type EmbedReply, type EmbedRequest } from '../messages/embedding-embed';
import { type CallOptions } from './call-options';

export const EMBEDDINGS = Symbol('Embeddings');

/** The embedding service: vectors for texts (each text embedded once per model and dimension). */
export interface Embeddings {
  embed(request: EmbedRequest, options: CallOptions): Promise<EmbedReply>;
}
