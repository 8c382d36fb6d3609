import { join } from 'node:path';
import { parseEnvNames, readEnvNames } from './env-names';

describe(parseEnvNames.name, () => {
  it('finds names read through helpers, index access and property access', () => {
    const source =
      "const a = str(env, 'KAFKA_BROKERS'); int(env,\"PORT\"); env['LOG_LEVEL']; env.REDIS_URL; other(x, 'NOT_ENV');";
    expect([...parseEnvNames(source)].sort()).toEqual(['KAFKA_BROKERS', 'LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('reads the names of the real load-config.ts', () => {
    const names = readEnvNames(join(__dirname, '../../../../libs/config/src/load-config.ts'));
    for (const name of [
      'STRATA_MODE',
      'PORT',
      'HEALTH_PORT',
      'KAFKA_BROKERS',
      'REDIS_URL',
      'QDRANT_URL',
      'EMBEDDING_PROVIDER',
      'STRATA_CONFIG',
      'STRATA_API_KEYS',
    ]) {
      expect(names).toContain(name);
    }
  });
});
