import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '@strata/config';
import { type Embeddings, type EmbedReply } from '@strata/contracts';
import { EmbeddingsEmbedder } from './embeddings-embedder';

describe(EmbeddingsEmbedder.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function embedderAnswering(model: () => string): { embedder: EmbeddingsEmbedder; asked: string[][] } {
    const asked: string[][] = [];
    const embeddings = {
      embed: (request: { texts: string[] }): Promise<EmbedReply> => {
        asked.push(request.texts);
        return Promise.resolve({ model: model(), vectors: request.texts.map(() => [1, 0]) } as EmbedReply);
      },
    } as unknown as Embeddings;
    return { embedder: new EmbeddingsEmbedder(embeddings, loadConfig({})), asked };
  }

  it("tells the model of its latest embedding for a minute: the collection a lookup's vector would search", async () => {
    let model = 'use-lite';
    const { embedder } = embedderAnswering(() => model);
    expect(embedder.recentModel()).toBeUndefined();

    await embedder.embed('how do I return an item?');
    expect(embedder.recentModel()).toBe('use-lite');

    // The embedding service changed models: the next embedding says so.
    model = 'text-embedding-3-small';
    await embedder.embed('a new question');
    expect(embedder.recentModel()).toBe('text-embedding-3-small');

    jest.advanceTimersByTime(60_000);
    expect(embedder.recentModel()).toBeUndefined();
  });

  it("asks the embedding service once for a text embedded lately (the lookup's vector, reused by its store)", async () => {
    const { embedder, asked } = embedderAnswering(() => 'use-lite');
    await embedder.embed('how do I return an item?');
    await embedder.embed('how do I return an item?');
    expect(asked).toEqual([['how do I return an item?']]);
  });
});
