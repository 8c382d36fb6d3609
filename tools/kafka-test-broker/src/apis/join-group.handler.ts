import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

/** JoinGroup v0–5; the response waits at the coordinator's rebalance barrier. */
export class JoinGroupHandler implements ApiHandler {
  readonly apiKey = ApiKey.JoinGroup;
  readonly minVersion = 0;
  readonly maxVersion = 5;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: RequestReader, { apiVersion, clientId, clientHost }: RequestContext): Promise<ResponseWriter> {
    const groupId = request.string();
    const sessionTimeoutMs = request.int32();
    const rebalanceTimeoutMs = apiVersion >= 1 ? request.int32() : -1;
    const memberId = request.string();
    const groupInstanceId = apiVersion >= 5 ? request.nullableString() : null;
    const protocolType = request.string();
    const protocols = request.array((r) => ({ name: r.string(), metadata: r.bytes() }));

    const result = await this.groups.join({
      groupId,
      memberId,
      groupInstanceId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      // Copies: member metadata outlives the request buffer.
      protocols: protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId,
      clientHost,
      requireKnownMemberId: apiVersion >= 4,
    });

    const writer = new ResponseWriter();
    if (apiVersion >= 2) writer.int32(0); // throttle_time_ms
    writer
      .int16(result.errorCode)
      .int32(result.generationId)
      .string(result.protocolName)
      .string(result.leaderId)
      .string(result.memberId);
    return writer.array(result.members, (w, member) => {
      w.string(member.memberId);
      if (apiVersion >= 5) w.string(member.groupInstanceId);
      w.bytes(member.metadata);
    });
  }
}
