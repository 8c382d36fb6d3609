import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDockerfile, checkDockerignore, parseDockerfile } from './dockerfile.check';

const GOOD = `# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS build
RUN npm ci
FROM node:20-bookworm-slim AS deps
RUN npm ci \\
    --omit=dev
FROM node:20-bookworm-slim
USER 10001:10001
CMD ["node", "dist/apps/cache/src/main.js"]
`;

describe(checkDockerfile.name, () => {
  const messages = (text: string, app = 'cache') => checkDockerfile('Dockerfile', app, text).map((f) => f.message);

  it('accepts a multi-stage, production-only, non-root image', () => {
    expect(messages(GOOD)).toEqual([]);
  });

  it('accepts the repository Dockerfiles', () => {
    for (const app of ['gateway', 'cache', 'embedding', 'invalidation']) {
      expect(messages(readFileSync(join(__dirname, `../../../../apps/${app}/Dockerfile`), 'utf8'), app)).toEqual([]);
    }
  });

  it('refuses a single-stage image', () => {
    expect(
      messages('FROM node:20\nRUN npm ci --omit=dev\nUSER node\nCMD ["node", "dist/apps/cache/src/main.js"]\n'),
    ).toEqual(['is not multi-stage (1 FROM)']);
  });

  it('refuses a HEALTHCHECK', () => {
    expect(messages(`${GOOD}HEALTHCHECK CMD curl -f http://localhost:9464/health/live\n`)).toEqual([
      'has a HEALTHCHECK; Kubernetes probes the health endpoints instead',
    ]);
  });

  it('refuses a final stage without USER or running as root', () => {
    expect(messages(GOOD.replace('USER 10001:10001\n', ''))).toEqual([
      'the final stage has no USER: it would run as root',
    ]);
    expect(messages(GOOD.replace('USER 10001:10001', 'USER root'))).toEqual(['the final stage runs as root']);
    expect(messages(GOOD.replace('USER 10001:10001', 'USER 0:0'))).toEqual(['the final stage runs as 0']);
  });

  it('refuses an image with development dependencies', () => {
    expect(messages(GOOD.replace('--omit=dev', ''))).toEqual([
      'never installs production dependencies only (npm ci|install --omit=dev)',
    ]);
  });

  it("refuses an image that starts another app's entry point", () => {
    expect(messages(GOOD, 'gateway')).toEqual(['does not start dist/apps/gateway/src/main.js']);
  });

  it('joins continued lines and skips comments', () => {
    expect(parseDockerfile('RUN a \\\n  # note\n  b\n')).toEqual([{ keyword: 'RUN', args: 'a b' }]);
  });
});

describe(checkDockerignore.name, () => {
  it('accepts a whitelist or an explicit node_modules exclusion', () => {
    expect(checkDockerignore('*\n!apps/*/src/**\n')).toEqual([]);
    expect(checkDockerignore('node_modules\ndist\n')).toEqual([]);
    expect(checkDockerignore(readFileSync(join(__dirname, '../../../../.dockerignore'), 'utf8'))).toEqual([]);
  });

  it('refuses a missing file or one that sends node_modules', () => {
    expect(checkDockerignore(undefined).map((f) => f.message)).toEqual([expect.stringContaining('is missing')]);
    expect(checkDockerignore('dist\n').map((f) => f.message)).toEqual(['does not exclude node_modules']);
    expect(checkDockerignore('*\n!node_modules\n').map((f) => f.message)).toEqual(['does not exclude node_modules']);
  });
});
