import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@strata/config';
import { loadLocalProvider, loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { OpenAiCompatibleProvider } from '@strata/embedding-openai';
import { type CalibrationFile, SemanticVerifier, calibrationFileSchema } from '@strata/semantic';
import { type CalibrationPair, calibrate } from './calibrate';
import { renderPlot } from './svg-plot';

/**
 * `npm run calibrate -- --pairs <file.jsonl> [--pairs …] [--target 0.02] [--out strata-calibration.json]
 * [--svg calibration.svg]`: fits the semantic verifier for the configured embedding model (EMBEDDING_PROVIDER,
 * EMBEDDING_URL, EMBEDDING_MODEL, EMBEDDING_API_KEY, as the services read them) on labelled pairs
 * (`{"text_a","text_b","label"}` per line: ../shared/data's format), prints precision/recall per threshold on
 * the held-out half, writes the plot and adds the model's entry to the calibration file the services load
 * (STRATA_SEMANTIC_CALIBRATION).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', multiple: true, default: [] },
      target: { type: 'string', default: '0.02' },
      out: { type: 'string', default: 'strata-calibration.json' },
      svg: { type: 'string', default: 'calibration.svg' },
    },
  });
  if (values.pairs.length === 0)
    throw new UsageError('give at least one --pairs <file.jsonl> ({"text_a","text_b","label"} per line)');
  const pairs: CalibrationPair[] = [];
  for (const file of values.pairs) pairs.push(...readPairFile(resolve(file)));
  const target = Number(values.target);
  if (!(target > 0 && target < 1)) throw new UsageError('--target is a wrong-hit rate between 0 and 1, e.g. 0.02');

  const config = loadConfig();
  const model = config.embedding.model;
  const embed =
    config.embedding.provider === 'local'
      ? await localEmbed(model)
      : remoteEmbed(
          new OpenAiCompatibleProvider({
            url: config.embedding.url ?? 'https://api.openai.com/v1',
            model,
            ...(config.embedding.apiKey === undefined ? {} : { apiKey: config.embedding.apiKey }),
            ...(config.embedding.dimensions === undefined ? {} : { dimensions: config.embedding.dimensions }),
          }),
        );
  const verifier = SemanticVerifier.create(await loadWordVectors(), await loadWordNet());
  const result = await calibrate(pairs, {
    model,
    embed,
    verifier,
    target,
    source: `${values.pairs.join(', ')} (${pairs.length} pairs), ${new Date().toISOString().slice(0, 10)}`,
  });

  console.log(
    `model ${model}: ${result.tuningPairs} tuning pairs, ${result.heldOutPairs} held out (split by sentence group)`,
  );
  console.log(
    `thresholds (95% upper bound of wrong hits on the tuning half ≤ budget): ${JSON.stringify(result.calibration.thresholds)}`,
  );
  console.log('\n| threshold | precision | recall | wrong hits (held out) |\n|---|---|---|---|');
  for (const row of result.heldOut.filter(
    (_, i) => i % 10 === 0 || Object.values(result.calibration.thresholds).includes(_.threshold),
  )) {
    console.log(`| ${row.threshold} | ${pct(row.precision)} | ${pct(row.recall)} | ${pct(row.wrongHitRate)} |`);
  }
  const outPath = resolve(values.out);
  const file: CalibrationFile = existsSync(outPath)
    ? calibrationFileSchema.parse(JSON.parse(readFileSync(outPath, 'utf8')))
    : { version: 1, models: {} };
  writeFileSync(
    outPath,
    `${JSON.stringify({ ...file, models: { ...file.models, [model]: result.calibration } }, null, 2)}\n`,
  );
  writeFileSync(
    resolve(values.svg),
    renderPlot(result.heldOut, result.calibration.thresholds, `${model}: held-out half`),
  );
  console.log(`\nwrote ${outPath} (set STRATA_SEMANTIC_CALIBRATION to it) and ${resolve(values.svg)}`);
}

function readPairFile(path: string): CalibrationPair[] {
  if (!existsSync(path)) throw new UsageError(`${path} not found`);
  const pairs: CalibrationPair[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const raw = JSON.parse(line) as { text_a?: unknown; text_b?: unknown; label?: unknown };
    if (typeof raw.text_a === 'string' && typeof raw.text_b === 'string' && (raw.label === 0 || raw.label === 1)) {
      pairs.push({ textA: raw.text_a, textB: raw.text_b, label: raw.label });
    }
  }
  return pairs;
}

async function localEmbed(model: string): Promise<(texts: readonly string[]) => Promise<number[][]>> {
  const provider = await loadLocalProvider(model);
  return (texts) => provider.embed(texts);
}

function remoteEmbed(provider: OpenAiCompatibleProvider): (texts: readonly string[]) => Promise<number[][]> {
  return (texts) => provider.embed(texts);
}

class UsageError extends Error {}
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

main().catch((error: unknown) => {
  console.error(`calibrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
