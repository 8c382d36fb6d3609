import { type TopicOffsetCommit } from '../groups/group-requests';
import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** OffsetCommit v0–5. Offsets are kept for the broker's lifetime (no retention). */
export class OffsetCommitHandler implements ApiHandler {
  readonly apiKey = ApiKey.OffsetCommit;
  readonly minVersion = 0;
  readonly maxVersion = 5;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const groupId = request.string();
    const generationId = apiVersion >= 1 ? request.int32() : -1;
    const memberId = apiVersion >= 1 ? request.string() : '';
    if (apiVersion >= 2 && apiVersion <= 4) request.int64(); // retention_time_ms
    const topics = request.array((r): TopicOffsetCommit => ({
      topic: r.string(),
      partitions: r.array((p) => {
        const partition = p.int32();
        const offset = p.int64();
        if (apiVersion === 1) p.int64(); // commit_timestamp
        return { partition, offset, metadata: p.nullableString() };
      }),
    }));

    const results = this.groups.commitOffsets({ groupId, generationId, memberId, topics });
    const writer = new ResponseWriter();
    if (apiVersion >= 3) writer.int32(0); // throttle_time_ms
    return writer.array(results, (w, { topic, partitions }) => {
      w.string(topic).array(partitions, (pw, p) => pw.int32(p.partition).int16(p.errorCode));
    });
  }
}
