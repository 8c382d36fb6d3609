import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** Heartbeat v0–3: keeps the session alive and tells members when a rebalance is in progress. */
export class HeartbeatHandler implements ApiHandler {
  readonly apiKey = ApiKey.Heartbeat;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const groupId = request.string();
    const generationId = request.int32();
    const memberId = request.string();
    if (apiVersion >= 3) request.nullableString(); // group_instance_id
    const errorCode = this.groups.heartbeat({ groupId, generationId, memberId });
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer.int16(errorCode);
  }
}
