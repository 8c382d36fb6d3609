import { topicTable } from '@strata/contracts';
import { checkStrimzi } from './checks/strimzi.check';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkAlertRules } from './checks/alert-rules.check';
import { checkAppConfig, checkAppsPresent, STRATA_APPS } from './checks/app-config.check';
import { checkContainerHardening } from './checks/container-hardening.check';
import { checkDashboard, parseExportedMetrics } from './checks/dashboard.check';
import { checkDockerfile, checkDockerignore } from './checks/dockerfile.check';
import { checkHpaReplicas } from './checks/hpa-replicas.check';
import { checkIngress } from './checks/ingress.check';
import { checkKafkaBrokers } from './checks/kafka-broker.check';
import { checkNetworkFlows } from './checks/network-flows.check';
import { readEnvNames } from './checks/env-names';
import { type Finding, finding } from './checks/finding';
import { checkPartitions } from './checks/partitions.check';
import { checkRedisEviction } from './checks/redis-eviction.check';
import { checkReferences } from './checks/references.check';
import { checkSelectors } from './checks/selectors.check';
import { checkStatefulHa } from './checks/stateful-ha.check';
import { checkTopics } from './checks/topics.check';
import { checkCompose } from './compose/check-compose';
import { renderKustomization } from './kustomize/kustomize';
import { type RealKustomize, compareRenders } from './kustomize/real-kustomize';
import { type K8sObject } from './manifest';
import { checkFieldsWithTypes, validateAgainstSchemas } from './schema/validate-schema';

/** The one Dockerfile of the four services. */
const DOCKERFILE = 'deploy/docker/Dockerfile';

interface DeployCheckOptions {
  /** The repository root (holds deploy/, apps/, libs/). */
  readonly root: string;
  /** When given, every overlay is also rendered by it and the two renders must be identical. */
  readonly realKustomize?: RealKustomize;
}

interface DeployCheckReport {
  readonly overlays: { readonly name: string; readonly objects: number }[];
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** Checks run: per overlay and global. */
  readonly checks: number;
}

function filesUnder(dir: string, accept: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && accept(f));
}

const prefixed = (prefix: string, findings: Finding[]) =>
  findings.map((f) => ({ ...f, subject: `${prefix}: ${f.subject}` }));

/** An overlay named prod or prod-<variant> deploys production. */
export function isProduction(overlay: string): boolean {
  return /^prod(-|$)/.test(overlay);
}

/** The manifest checks of one rendered overlay (everything but the schema checks). */
function checkRenderedObjects(objects: readonly K8sObject[], envNames: ReadonlySet<string>): Finding[] {
  return [
    ...checkContainerHardening(objects),
    ...checkSelectors(objects),
    ...checkReferences(objects),
    ...checkAppsPresent(objects),
    ...checkAppConfig(objects, envNames),
    ...checkPartitions(objects),
    ...checkNetworkFlows(objects),
    ...checkHpaReplicas(objects),
    ...checkRedisEviction(objects),
    ...checkIngress(objects),
    ...checkKafkaBrokers(objects),
    ...checkStrimzi(objects, topicTable()),
  ];
}

/** Renders every overlay in deploy/overlays and runs every check; also checks Dockerfiles, topics, dashboard. */
export function runDeployCheck(options: DeployCheckOptions): DeployCheckReport {
  const { root } = options;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const overlaysDir = join(root, 'deploy', 'overlays');
  const overlayNames = readdirSync(overlaysDir)
    .filter((name) => statSync(join(overlaysDir, name)).isDirectory())
    .sort();
  const envNames = readEnvNames(join(root, 'libs', 'config', 'src', 'load-config.ts'));
  const overlays: { name: string; objects: number }[] = [];
  const allObjects: K8sObject[] = [];
  const seen = new Set<string>();
  let checks = 0;

  for (const name of overlayNames) {
    const dir = join(overlaysDir, name);
    let objects: K8sObject[];
    try {
      objects = renderKustomization(dir);
    } catch (err) {
      errors.push(finding('render', `deploy/overlays/${name}`, (err as Error).message));
      continue;
    }
    overlays.push({ name, objects: objects.length });
    for (const object of objects) {
      const key = JSON.stringify(object);
      if (!seen.has(key)) {
        seen.add(key);
        allObjects.push(object);
      }
    }
    errors.push(...prefixed(name, [...validateAgainstSchemas(objects), ...checkRenderedObjects(objects, envNames)]));
    checks += 12;
    // Production overlays (prod, prod-*): the stateful backends they run in the cluster are highly available.
    if (isProduction(name)) {
      errors.push(...prefixed(name, checkStatefulHa(objects)));
      checks += 1;
    }
    if (options.realKustomize) {
      const differences = compareRenders(objects, options.realKustomize.render(dir));
      errors.push(
        ...differences.map((d) =>
          finding('render', `deploy/overlays/${name}`, `differs from ${options.realKustomize!.label}: ${d}`),
        ),
      );
      checks += 1;
    }
  }
  errors.push(...checkFieldsWithTypes(allObjects, root));
  checks += 1;

  const dockerfile = join(root, DOCKERFILE);
  if (!existsSync(dockerfile)) errors.push(finding('dockerfile', DOCKERFILE, 'is missing'));
  else errors.push(...checkDockerfile(DOCKERFILE, readFileSync(dockerfile, 'utf8')));
  for (const app of STRATA_APPS) {
    if (existsSync(join(root, 'apps', app, 'Dockerfile')))
      errors.push(
        finding('dockerfile', `apps/${app}/Dockerfile`, `builds from ${DOCKERFILE} (--build-arg APP=${app}) instead`),
      );
  }
  const dockerignore = join(root, '.dockerignore');
  errors.push(...checkDockerignore(existsSync(dockerignore) ? readFileSync(dockerignore, 'utf8') : undefined));
  checks += 2;

  const compose = join(root, 'deploy', 'compose.yaml');
  errors.push(...checkCompose('deploy/compose.yaml', readFileSync(compose, 'utf8'), envNames));
  checks += 1;

  const topics = checkTopics(readFileSync(join(root, 'deploy', 'base', 'kafka', 'topics.txt'), 'utf8'), topicTable());
  errors.push(...topics.errors);
  warnings.push(...topics.warnings);
  checks += 1;

  const metricSources = filesUnder(
    join(root, 'libs', 'observability', 'src'),
    (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
  );
  const exported = new Set(metricSources.flatMap((f) => [...parseExportedMetrics(readFileSync(f, 'utf8'))]));
  const dashboardFile = join(root, 'deploy', 'components', 'monitoring', 'grafana-dashboard.json');
  const dashboard = checkDashboard(relative(root, dashboardFile), readFileSync(dashboardFile, 'utf8'), exported);
  errors.push(...dashboard.errors);
  warnings.push(...dashboard.warnings);
  errors.push(...checkAlertRules(allObjects, exported));
  checks += 2;

  return { overlays, errors, warnings, checks };
}
