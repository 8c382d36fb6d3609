import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { topicTable } from '@strata/contracts';
import { formatFinding } from './checks/finding';
import { renderTopicList } from './checks/topics.check';
import { STRIMZI_TOPICS, renderKafkaTopics } from './checks/strimzi.check';
import { renderKustomization } from './kustomize/kustomize';
import { findRealKustomize } from './kustomize/real-kustomize';
import { runDeployCheck } from './run-checks';

/**
 * deploy-check: renders every overlay in deploy/overlays and validates it offline.
 *   node dist/tools/deploy-check/src/main.js [--root <repo>] [--no-kustomize]
 *   node dist/tools/deploy-check/src/main.js render <kustomization dir>   (prints the YAML)
 *   node dist/tools/deploy-check/src/main.js topics   (prints deploy/base/kafka/topics.txt, from the topic table)
 *   node dist/tools/deploy-check/src/main.js strimzi-topics   (prints deploy/overlays/prod-strimzi/kafka-topics.yaml)
 */
function main(argv: string[]): number {
  if (argv[0] === 'topics') {
    process.stdout.write(renderTopicList(topicTable()));
    return 0;
  }
  if (argv[0] === 'strimzi-topics') {
    process.stdout.write(renderKafkaTopics(topicTable(), STRIMZI_TOPICS));
    return 0;
  }
  if (argv[0] === 'render') {
    const dir = argv[1];
    if (!dir) throw new Error('usage: render <kustomization dir>');
    process.stdout.write(
      renderKustomization(dir)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    return 0;
  }
  const rootAt = argv.indexOf('--root');
  const root = resolve(rootAt >= 0 && argv[rootAt + 1] ? argv[rootAt + 1] : process.cwd());
  const realKustomize = argv.includes('--no-kustomize') ? undefined : findRealKustomize();
  const started = Date.now();
  const report = runDeployCheck({ root, realKustomize });
  for (const w of report.warnings) process.stdout.write(`warning ${formatFinding(w)}\n`);
  for (const e of report.errors) process.stdout.write(`error   ${formatFinding(e)}\n`);
  const overlays = report.overlays.map((o) => `${o.name} (${o.objects} objects)`).join(', ');
  process.stdout.write(`deploy-check: rendered ${overlays}\n`);
  process.stdout.write(
    realKustomize
      ? `deploy-check: renders compared with ${realKustomize.label}\n`
      : 'deploy-check: no kustomize v5 on PATH; renders not cross-checked\n',
  );
  process.stdout.write(
    `deploy-check: ${report.errors.length} errors, ${report.warnings.length} warnings in ${Date.now() - started} ms\n`,
  );
  return report.errors.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`deploy-check: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
}
