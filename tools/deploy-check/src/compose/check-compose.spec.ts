import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvNames } from '../checks/env-names';
import { checkCompose } from './check-compose';

const ROOT = join(__dirname, '../../../..');
const ENV_NAMES = readEnvNames(join(ROOT, 'libs/config/src/load-config.ts'));
const COMPOSE = readFileSync(join(ROOT, 'deploy/compose.yaml'), 'utf8');

describe(checkCompose.name, () => {
  const messages = (text: string) => checkCompose('deploy/compose.yaml', text, ENV_NAMES).map((f) => f.message);

  it('accepts deploy/compose.yaml', () => {
    expect(messages(COMPOSE)).toEqual([]);
  });

  it('refuses what the Compose Specification does not allow', () => {
    expect(
      messages(
        COMPOSE.replace(
          '    image: qdrant/qdrant:v1.17.0\n',
          '    image: qdrant/qdrant:v1.17.0\n    restart_policy: always\n',
        ),
      ),
    ).toEqual(['services.qdrant must NOT have additional properties (restart_policy)']);
    expect(messages(COMPOSE.replace('condition: service_started', 'condition: service_up'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/depends_on\.qdrant\.condition must be equal to one of the allowed values/),
      ]),
    );
  });

  it('refuses a stand-in for the real Kafka', () => {
    expect(
      messages(
        COMPOSE.replace(
          '    image: apache/kafka:3.9.1\n    environment:',
          '    image: bitnami/kafka:3.9\n    environment:',
        ),
      ),
    ).toEqual(['service kafka must run the /^apache\\/kafka:/ image, not "bitnami/kafka:3.9"']);
  });

  it('refuses an eviction policy that can evict the purge generations', () => {
    expect(messages(COMPOSE.replace("'volatile-lru'", "'allkeys-lru'"))).toEqual([
      'redis runs with --maxmemory-policy allkeys-lru, which can evict the purge generations',
    ]);
  });

  it('refuses an environment variable Strata does not read', () => {
    expect(
      messages(
        COMPOSE.replace(
          '      KAFKA_CLIENT_ID: strata-cache\n',
          '      KAFKA_CLIENT_ID: strata-cache\n      REDIS_HOST: redis\n',
        ),
      ),
    ).toEqual(['cache sets REDIS_HOST, which Strata does not read (see libs/config/src/load-config.ts)']);
  });

  it('refuses a service built as another app', () => {
    expect(messages(COMPOSE.replace('        APP: embedding', '        APP: cache'))).toEqual([
      'embedding must build from deploy/docker/Dockerfile with args APP: embedding',
    ]);
  });

  it('refuses a gateway that binds loopback inside its container (no API keys)', () => {
    expect(messages(COMPOSE.replace(/ +STRATA_API_KEYS: .*\n/, ''))).toEqual([
      'gateway binds 127.0.0.1 inside its container: its published port reaches nothing (set STRATA_API_KEYS)',
    ]);
  });
});
