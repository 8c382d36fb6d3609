import type { Config } from 'jest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface TsConfig {
  compilerOptions: { paths: Record<string, string[]> };
}

const tsconfig = JSON.parse(readFileSync(join(__dirname, 'tsconfig.base.json'), 'utf8')) as TsConfig;
const moduleNameMapper: Record<string, string> = {};
for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}
const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8')) as Record<string, unknown>;

/** Shared jest settings: swc for speed (with decorator metadata for NestJS), tsconfig path aliases. */
export const preset: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
