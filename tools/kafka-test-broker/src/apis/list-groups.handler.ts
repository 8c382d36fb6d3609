import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { ResponseWriter } from '../protocol/response-writer';

/** ListGroups v0–2. */
export class ListGroupsHandler implements ApiHandler {
  readonly apiKey = ApiKey.ListGroups;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(_request: unknown, { apiVersion }: RequestContext): ResponseWriter {
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer.int16(ErrorCode.None).array(this.groups.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  }
}
