import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** DescribeGroups v0–2; an unknown group is reported as Dead, as Kafka does. */
export class DescribeGroupsHandler implements ApiHandler {
  readonly apiKey = ApiKey.DescribeGroups;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const descriptions = request.array((r) => r.string()).map((groupId) => this.groups.describe(groupId));
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer.array(descriptions, (w, group) => {
      w.int16(ErrorCode.None)
        .string(group.groupId)
        .string(group.state)
        .string(group.protocolType)
        .string(group.protocolName);
      w.array(group.members, (mw, m) =>
        mw.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment),
      );
    });
  }
}
