import { join } from 'node:path';
import { type K8sObject } from '../manifest';
import { cacheContainer, goodRender, pick } from '../testing/manifests.fixture';
import { checkAppConfig, checkAppsPresent } from './app-config.check';
import { readEnvNames } from './env-names';

const ENV_NAMES = readEnvNames(join(__dirname, '../../../../libs/config/src/load-config.ts'));

describe(checkAppConfig.name, () => {
  const messages = (objects: K8sObject[]) => checkAppConfig(objects, ENV_NAMES).map((f) => `[${f.check}] ${f.message}`);
  const envConfig = (objects: K8sObject[]) =>
    pick<{ data: Record<string, string> }>(objects, 'ConfigMap', 'strata-config').data;

  it('accepts a service whose configuration loads as distributed, on its declared port', () => {
    expect(messages(goodRender())).toEqual([]);
  });

  it('refuses an environment variable the apps do not read', () => {
    const objects = goodRender();
    envConfig(objects).KAFKA_BROKER = 'kafka:9092';
    cacheContainer(objects).env!.push({ name: 'REDIS_HOST', value: 'redis' });
    expect(messages(objects)).toEqual([
      '[app-env] container "cache" sets KAFKA_BROKER (envFrom ConfigMap strata-config), which Strata does not read (see libs/config/src/load-config.ts)',
      '[app-env] container "cache" sets REDIS_HOST (env), which Strata does not read (see libs/config/src/load-config.ts)',
    ]);
  });

  it('accepts variables Node.js itself reads', () => {
    const objects = goodRender();
    cacheContainer(objects).env!.push({ name: 'NODE_OPTIONS', value: '--max-old-space-size=192' });
    expect(messages(objects)).toEqual([]);
  });

  it('reports a configuration that does not load, with the config error', () => {
    const objects = goodRender();
    envConfig(objects).STRATA_MODE = 'cluster';
    expect(messages(objects)).toEqual([
      expect.stringMatching(/^\[app-config\] container "cache": the configuration does not load: .*mode/s),
    ]);
  });

  it('validates the STRATA_CONFIG file mounted from a ConfigMap', () => {
    const objects = goodRender();
    pick<{ data: Record<string, string> }>(objects, 'ConfigMap', 'strata-config-file').data['strata.json'] =
      '{"cache":{"l1MaxEntries":-1}}';
    expect(messages(objects)).toEqual([expect.stringMatching(/the configuration does not load: .*l1MaxEntries/s)]);
  });

  it('refuses a STRATA_CONFIG path that no mounted ConfigMap provides', () => {
    const objects = goodRender();
    envConfig(objects).STRATA_CONFIG = '/etc/strata/config.json';
    expect(messages(objects)).toEqual([
      '[app-config] container "cache": STRATA_CONFIG=/etc/strata/config.json, but no mounted ConfigMap provides that file',
    ]);
  });

  it('refuses the embedded mode', () => {
    const objects = goodRender();
    delete envConfig(objects).STRATA_MODE;
    expect(messages(objects)).toEqual([
      '[app-config] container "cache": STRATA_MODE is "embedded": the services must run in distributed mode',
    ]);
  });

  it('refuses a health port that differs from the declared container port', () => {
    const objects = goodRender();
    cacheContainer(objects).env![0].value = '9465';
    expect(messages(objects)).toEqual([
      '[app-config] container "cache": listens on HEALTH_PORT=9465, which the container does not declare (probes and Services use the declared ports)',
    ]);
  });

  it('refuses Kafka brokers on localhost', () => {
    const objects = goodRender();
    delete envConfig(objects).KAFKA_BROKERS;
    expect(messages(objects)).toEqual([
      '[app-config] container "cache": KAFKA_BROKERS points at this pod (127.0.0.1:9092)',
    ]);
  });

  it('requires Redis and Qdrant for the cache service, unless a Secret outside the render sets them', () => {
    const objects = goodRender();
    delete envConfig(objects).REDIS_URL;
    expect(messages(objects)).toEqual([
      '[app-config] container "cache": REDIS_URL is not set: the cache service needs Redis (L2)',
    ]);
    const managed = objects.filter((o) => o.kind !== 'Secret');
    cacheContainer(managed).env!.push({
      name: 'REDIS_URL',
      valueFrom: { secretKeyRef: { name: 'strata-secrets', key: 'REDIS_URL' } },
    });
    expect(messages(managed)).toEqual([]);
  });
});

describe(checkAppsPresent.name, () => {
  it('requires the four services as labelled Deployments', () => {
    const findings = checkAppsPresent(goodRender()).map((f) => f.subject);
    expect(findings).toEqual(['Deployment/gateway', 'Deployment/embedding', 'Deployment/invalidation']);
  });
});
