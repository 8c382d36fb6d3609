export { startDistributed, startEmbedded } from './start-strata';
export type { RunningStrata } from './start-strata';
export type { ServiceName } from './transport-factory';
export { runService } from './run-service';
export { serviceMain } from './service-main';
