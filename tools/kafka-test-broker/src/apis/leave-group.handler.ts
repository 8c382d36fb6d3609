import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** LeaveGroup v0–3 (v3 leaves a batch of members); the group rebalances without them. */
export class LeaveGroupHandler implements ApiHandler {
  readonly apiKey = ApiKey.LeaveGroup;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const groupId = request.string();
    const leaving =
      apiVersion >= 3
        ? request.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }))
        : [{ memberId: request.string(), groupInstanceId: null }];
    const results = this.groups.leave(groupId, leaving);

    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    if (apiVersion < 3) return writer.int16(results[0]?.errorCode ?? ErrorCode.None);
    return writer
      .int16(ErrorCode.None)
      .array(results, (w, r) => w.string(r.memberId).string(r.groupInstanceId).int16(r.errorCode));
  }
}
