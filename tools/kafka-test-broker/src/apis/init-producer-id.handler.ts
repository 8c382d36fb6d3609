import { type ApiHandler } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type ProducerStateTable } from '../storage/producer-state';

/** InitProducerId v0–1 for idempotent producers. A transactional id is refused: there is no transaction coordinator. */
export class InitProducerIdHandler implements ApiHandler {
  readonly apiKey = ApiKey.InitProducerId;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly producers: ProducerStateTable) {}

  handle(request: RequestReader): ResponseWriter {
    const transactionalId = request.nullableString();
    request.int32(); // transaction_timeout_ms
    const writer = new ResponseWriter().int32(0); // throttle_time_ms
    if (transactionalId !== null) return writer.int16(ErrorCode.InvalidRequest).int64(-1).int16(-1);
    return writer.int16(ErrorCode.None).int64(this.producers.allocateProducerId()).int16(0);
  }
}
