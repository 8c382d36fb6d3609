import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** SyncGroup v0–3; followers wait for the leader's assignment. */
export class SyncGroupHandler implements ApiHandler {
  readonly apiKey = ApiKey.SyncGroup;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: RequestReader, { apiVersion }: RequestContext): Promise<ResponseWriter> {
    const groupId = request.string();
    const generationId = request.int32();
    const memberId = request.string();
    if (apiVersion >= 3) request.nullableString(); // group_instance_id
    const assignments = new Map<string, Buffer>();
    request.array((r) => assignments.set(r.string(), Buffer.from(r.bytes())));

    const result = await this.groups.sync({ groupId, generationId, memberId, assignments });
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer.int16(result.errorCode).bytes(result.assignment);
  }
}
