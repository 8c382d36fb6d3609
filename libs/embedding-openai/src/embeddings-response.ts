import { EmbeddingError, EmbeddingErrorCode } from '@strata/embedding';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(message: string): EmbeddingError {
  return new EmbeddingError(
    EmbeddingErrorCode.BAD_RESPONSE,
    `Embedding provider returned an unusable response: ${message}`,
  );
}

function isNumberArray(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * Validates an OpenAI-style `/embeddings` body (`{data:[{index, embedding:number[]}]}`) and returns the
 * vectors in input order (by `index`; array order when no item carries one). Exactly one vector per input.
 * Dimensions are checked by the caller, which knows what to expect.
 */
export function parseEmbeddingsResponse(body: unknown, inputCount: number): number[][] {
  if (!isRecord(body) || !Array.isArray(body['data'])) throw bad('expected a JSON object with a "data" array');
  const data: unknown[] = body['data'];
  if (data.length !== inputCount) throw bad(`expected ${inputCount} embeddings, got ${data.length}`);
  const byIndex = data.some((item) => isRecord(item) && item['index'] !== undefined);
  const vectors = new Array<number[] | undefined>(inputCount);
  for (let position = 0; position < data.length; position++) {
    const item = data[position];
    if (!isRecord(item)) throw bad(`data[${position}] is not an object`);
    const index = byIndex ? item['index'] : position;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= inputCount) {
      throw bad(`data[${position}].index is not an input position (0..${inputCount - 1})`);
    }
    if (vectors[index] !== undefined) throw bad(`index ${index} appears twice`);
    const embedding = item['embedding'];
    if (!isNumberArray(embedding)) throw bad(`data[${position}].embedding is not a non-empty array of finite numbers`);
    vectors[index] = embedding;
  }
  return vectors as number[][];
}
