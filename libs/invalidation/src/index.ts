export { PROCESSED_EVENTS } from './ports/processed-events.port';
export type { ProcessedEvents } from './ports/processed-events.port';
