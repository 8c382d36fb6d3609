export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the broker reports connections, rebalances and protocol errors. */
export type BrokerLogger = (level: BrokerLogLevel, message: string) => void;

export const silentLogger: BrokerLogger = () => undefined;
