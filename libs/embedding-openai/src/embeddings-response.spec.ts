import { EmbeddingErrorCode } from '@strata/embedding';
import { parseEmbeddingsResponse } from './embeddings-response';

function codeOf(run: () => unknown): EmbeddingErrorCode | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: EmbeddingErrorCode }).code;
  }
  return undefined;
}

describe(parseEmbeddingsResponse.name, () => {
  it('returns the vectors in input order, sorted by index', () => {
    const body = {
      object: 'list',
      data: [
        { index: 1, embedding: [0.2, 0.3] },
        { index: 0, embedding: [0.1, -1] },
      ],
      model: 'm',
    };
    expect(parseEmbeddingsResponse(body, 2)).toEqual([
      [0.1, -1],
      [0.2, 0.3],
    ]);
  });

  it('uses array order when no item carries an index', () => {
    expect(parseEmbeddingsResponse({ data: [{ embedding: [1] }, { embedding: [2] }] }, 2)).toEqual([[1], [2]]);
  });

  it.each([
    ['not an object', 'oops'],
    ['no data array', { embeddings: [[1]] }],
    ['too few items', { data: [{ index: 0, embedding: [1] }] }],
    [
      'a duplicate index',
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [2] },
        ],
      },
    ],
    [
      'an index out of range',
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 2, embedding: [2] },
        ],
      },
    ],
    [
      'a base64 embedding',
      {
        data: [
          { index: 0, embedding: 'AACAPw==' },
          { index: 1, embedding: [1] },
        ],
      },
    ],
    [
      'a non-numeric element',
      {
        data: [
          { index: 0, embedding: [1, '2'] },
          { index: 1, embedding: [1, 2] },
        ],
      },
    ],
    [
      'an empty vector',
      {
        data: [
          { index: 0, embedding: [] },
          { index: 1, embedding: [1] },
        ],
      },
    ],
    ['a null item', { data: [null, { index: 1, embedding: [1] }] }],
  ])('rejects %s as BAD_RESPONSE', (_case, body) => {
    expect(codeOf(() => parseEmbeddingsResponse(body, 2))).toBe(EmbeddingErrorCode.BAD_RESPONSE);
  });
});
