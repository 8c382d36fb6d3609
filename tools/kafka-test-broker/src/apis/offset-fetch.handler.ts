import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** OffsetFetch v1–4; from v2 a null topic list asks for every committed offset of the group. */
export class OffsetFetchHandler implements ApiHandler {
  readonly apiKey = ApiKey.OffsetFetch;
  readonly minVersion = 1;
  readonly maxVersion = 4;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const groupId = request.string();
    const requested = request.nullableArray((r) => ({ topic: r.string(), partitions: r.array((p) => p.int32()) }));
    const topics = this.groups.fetchOffsets(groupId, apiVersion >= 2 ? requested : (requested ?? []));

    const writer = new ResponseWriter();
    if (apiVersion >= 3) writer.int32(0); // throttle_time_ms
    writer.array(topics, (w, { topic, partitions }) => {
      w.string(topic).array(partitions, (pw, p) =>
        pw.int32(p.partition).int64(p.offset).string(p.metadata).int16(ErrorCode.None),
      );
    });
    if (apiVersion >= 2) writer.int16(ErrorCode.None);
    return writer;
  }
}
