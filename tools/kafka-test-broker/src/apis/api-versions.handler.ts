import { type ApiHandler, type ApiVersionRange, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { ResponseWriter } from '../protocol/response-writer';

/**
 * ApiVersions v0–2. Advertises exactly the ranges of the registered handlers. A request at a version above 2
 * gets the v0 layout with UNSUPPORTED_VERSION, and kafkajs retries with a lower version.
 */
export class ApiVersionsHandler implements ApiHandler {
  readonly apiKey = ApiKey.ApiVersions;
  readonly minVersion = 0;
  readonly maxVersion = 2;
  readonly answersUnsupportedVersions = true;

  constructor(private readonly advertised: () => readonly ApiVersionRange[]) {}

  handle(_request: unknown, { apiVersion }: RequestContext): ResponseWriter {
    const supported = apiVersion <= this.maxVersion;
    const writer = new ResponseWriter()
      .int16(supported ? ErrorCode.None : ErrorCode.UnsupportedVersion)
      .array(this.advertised(), (w, range) => w.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion));
    if (supported && apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer;
  }
}
