/** An error the double answers with Qdrant's error envelope: `{ status: { error }, time }`. */
export class QdrantHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = QdrantHttpError.name;
  }

  static badRequest(message: string): QdrantHttpError {
    return new QdrantHttpError(400, message);
  }

  /** Qdrant's wording for malformed request bodies. */
  static format(message: string): QdrantHttpError {
    return new QdrantHttpError(400, `Format error in JSON body: ${message}`);
  }

  /** What the double deliberately does not implement: a 400, never a silently wrong answer. */
  static unsupported(feature: string): QdrantHttpError {
    return new QdrantHttpError(400, `Unsupported by the Qdrant test double: ${feature}`);
  }

  static collectionNotFound(name: string): QdrantHttpError {
    return new QdrantHttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
  }
}
