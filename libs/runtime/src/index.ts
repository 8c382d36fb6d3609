export { startEmbedded } from './start-strata';
export type { RunningStrata } from './start-strata';
export type { ServiceName, TransportFactory } from './transport-factory';
