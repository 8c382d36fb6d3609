import { cacheContainer, cachePodSpec, goodRender, pick } from '../testing/manifests.fixture';
import { checkContainerHardening } from './container-hardening.check';

describe(checkContainerHardening.name, () => {
  const messages = (objects = goodRender()) => checkContainerHardening(objects).map((f) => `[${f.check}] ${f.message}`);

  it('accepts a hardened workload', () => {
    expect(messages()).toEqual([]);
  });

  it('requires a readiness and a liveness probe on long-running containers', () => {
    const objects = goodRender();
    delete cacheContainer(objects).readinessProbe;
    delete cacheContainer(objects).livenessProbe;
    expect(messages(objects)).toEqual([
      '[probes] container "cache" has no readinessProbe',
      '[probes] container "cache" has no livenessProbe',
    ]);
  });

  it('requires probes to use a port the container declares', () => {
    const objects = goodRender();
    cacheContainer(objects).livenessProbe = { httpGet: { path: '/health/live', port: 'health' } };
    expect(messages(objects)).toEqual([
      '[probes] container "cache" livenessProbe uses port "health", which the container does not declare',
    ]);
  });

  it('does not require probes on Jobs', () => {
    const objects = goodRender();
    delete cacheContainer(objects).readinessProbe;
    const job = pick<{ kind: string; apiVersion: string }>(objects, 'Deployment', 'cache');
    job.kind = 'Job';
    job.apiVersion = 'batch/v1';
    expect(messages(objects)).toEqual([]);
  });

  it('requires cpu and memory requests and limits', () => {
    const objects = goodRender();
    cacheContainer(objects).resources = { requests: { cpu: '100m' } };
    expect(messages(objects)).toEqual([
      '[resources] container "cache" has no requests.memory',
      '[resources] container "cache" has no limits.cpu',
      '[resources] container "cache" has no limits.memory',
    ]);
  });

  it('refuses containers that may run as root', () => {
    const objects = goodRender();
    delete cachePodSpec(objects).securityContext!.runAsNonRoot;
    expect(messages(objects)).toEqual(['[security] container "cache" may run as root: set runAsNonRoot: true']);
  });

  it('refuses a writable root file system, privilege escalation and kept capabilities', () => {
    const objects = goodRender();
    cacheContainer(objects).securityContext = {
      runAsNonRoot: true,
      capabilities: { drop: ['NET_RAW'], add: ['NET_ADMIN'] },
    };
    expect(messages(objects)).toEqual([
      '[security] container "cache" has a writable root file system: set readOnlyRootFilesystem: true',
      '[security] container "cache" allows privilege escalation: set allowPrivilegeEscalation: false',
      '[security] container "cache" keeps Linux capabilities: drop ALL',
      '[security] container "cache" adds capabilities NET_ADMIN',
    ]);
  });

  it('requires a seccomp profile', () => {
    const objects = goodRender();
    delete cachePodSpec(objects).securityContext!.seccompProfile;
    expect(messages(objects)).toEqual([
      '[security] container "cache" has no seccomp profile: set seccompProfile.type: RuntimeDefault',
    ]);
  });

  it('refuses a mounted service-account token, from the pod or its ServiceAccount', () => {
    const objects = goodRender();
    delete cachePodSpec(objects).automountServiceAccountToken;
    expect(messages(objects)).toEqual([]);
    pick<{ automountServiceAccountToken?: boolean }>(objects, 'ServiceAccount', 'cache').automountServiceAccountToken =
      true;
    expect(messages(objects)).toEqual([
      '[security] mounts a service-account token: set automountServiceAccountToken: false',
    ]);
  });
});
