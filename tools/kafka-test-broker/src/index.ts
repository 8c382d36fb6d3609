export { KafkaTestBroker, type KafkaTestBrokerOptions } from './kafka-test-broker';
export { type BrokerLogger, type BrokerLogLevel } from './broker-logger';
