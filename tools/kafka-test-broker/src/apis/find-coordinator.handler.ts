import { type BrokerNode } from '../broker-node';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';

const GROUP_KEY_TYPE = 0;

/** FindCoordinator v0–2: this broker coordinates every group. There is no transaction coordinator. */
export class FindCoordinatorHandler implements ApiHandler {
  readonly apiKey = ApiKey.FindCoordinator;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly node: BrokerNode) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    request.string(); // key: group id (or transactional id)
    const keyType = apiVersion >= 1 ? request.int8() : GROUP_KEY_TYPE;
    const supported = keyType === GROUP_KEY_TYPE;
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    writer.int16(supported ? ErrorCode.None : ErrorCode.InvalidRequest);
    if (apiVersion >= 1) writer.string(supported ? null : 'kafka-test-broker does not support transactions');
    return supported
      ? writer.int32(this.node.nodeId).string(this.node.host).int32(this.node.port)
      : writer.int32(-1).string('').int32(-1);
  }
}
