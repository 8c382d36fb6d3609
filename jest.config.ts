import type { Config } from 'jest';
import { preset } from './jest.preset';

/** Unit tests: `*.spec.ts` next to the code. No network, no servers. */
const config: Config = { ...preset, testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] };
export default config;
