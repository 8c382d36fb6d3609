import { type GroupCoordinator } from '../groups/group-coordinator';
import { type ApiHandler, type RequestContext } from '../protocol/api-handler';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-code';
import { type RequestReader } from '../protocol/request-reader';
import { ResponseWriter } from '../protocol/response-writer';
import { type ProducerStateTable } from '../storage/producer-state';
import { type TopicStore } from '../storage/topic-store';

/** DeleteTopics v0–1: removes the log, the groups' committed offsets and producer state of each topic. */
export class DeleteTopicsHandler implements ApiHandler {
  readonly apiKey = ApiKey.DeleteTopics;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(
    private readonly topics: TopicStore,
    private readonly groups: GroupCoordinator,
    private readonly producers: ProducerStateTable,
  ) {}

  handle(request: RequestReader, { apiVersion }: RequestContext): ResponseWriter {
    const names = request.array((r) => r.string());
    request.int32(); // timeout_ms: deletion is immediate
    const results = names.map((name) => {
      if (!this.topics.delete(name)) return { name, errorCode: ErrorCode.UnknownTopicOrPartition };
      this.groups.forgetTopic(name);
      this.producers.forgetTopic(name);
      return { name, errorCode: ErrorCode.None };
    });
    const writer = new ResponseWriter();
    if (apiVersion >= 1) writer.int32(0); // throttle_time_ms
    return writer.array(results, (w, result) => w.string(result.name).int16(result.errorCode));
  }
}
