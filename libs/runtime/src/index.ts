export { startDistributed, startEmbedded } from './start-strata';
export type { RunningStrata } from './start-strata';
export type { ServiceName, TransportFactory } from './transport-factory';
export { runService } from './run-service';
