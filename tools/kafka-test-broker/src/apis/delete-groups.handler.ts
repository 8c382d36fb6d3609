import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** DeleteGroups v0–1: only groups without members (NON_EMPTY_GROUP otherwise). */
export class DeleteGroupsHandler implements ApiHandler {
  readonly apiKey = ApiKey.DeleteGroups;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader): ResponseWriter {
    const results = request
      .array((r) => r.string())
      .map((groupId) => ({ groupId, errorCode: this.groups.delete(groupId) }));
    return new ResponseWriter()
      .int32(0) // throttle_time_ms
      .array(results, (w, r) => w.string(r.groupId).int16(r.errorCode));
  }
}
