import type { Config } from 'jest';
import { preset } from './jest.preset';

/** End-to-end tests: boot the built services as OS processes and drive them over HTTP (and Kafka). */
const config: Config = { ...preset, testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'], testTimeout: 120_000 };
export default config;
