import type { Config } from 'jest';
import { preset } from './jest.preset';

/** Integration tests: `*.integration-spec.ts`, against real Redis and the wire-level stand-ins (Kafka broker, Qdrant double). */
const config: Config = {
  ...preset,
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.integration-spec.ts'],
  testTimeout: 30_000,
};
export default config;
