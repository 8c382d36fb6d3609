export { PinoNestLogger, REDACTED_PATHS, createLogger } from './logger';
export { StrataMetrics } from './strata-metrics';
export type { ConsumerLag } from './strata-metrics';
export type { Logger } from 'pino';
export { HealthChecks } from './health-checks';
export type { HealthReport } from './health-checks';
export { OpsModule } from './ops.module';
export { CORRELATION_HEADER, Correlation } from './correlation';
