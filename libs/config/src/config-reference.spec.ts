import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Every environment variable the config loader reads, taken from its source. */
function variablesRead(): string[] {
  const source = readFileSync(join(__dirname, 'load-config.ts'), 'utf8');
  const names = new Set<string>();
  for (const match of source.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'[,)]/g)) names.add(match[1]);
  return [...names].sort();
}

describe('configuration reference (docs/configuration.md)', () => {
  const reference = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');

  it('finds the variables the loader reads', () => {
    expect(variablesRead()).toEqual(
      expect.arrayContaining(['PORT', 'STRATA_MODE', 'KAFKA_BROKERS', 'REDIS_URL', 'QDRANT_URL', 'UPSTREAM_URL']),
    );
  });

  it.each(variablesRead())('documents %s', (name) => {
    expect(reference).toContain(`\`${name}\``);
  });
});
