export { KafkaTestBroker, type KafkaTestBrokerOptions } from './kafka-test-broker';
export { type BrokerLogger, type BrokerLogLevel } from './broker-logger';
export { type ApiVersionRange } from './protocol/api-handler';
export { ApiKey } from './protocol/api-key';
export { ErrorCode } from './protocol/error-code';
