import { type IContainer } from 'kubernetes-models/v1/Container';
import { type K8sObject, objectRef, podTemplateOf } from '../manifest';
import { type Finding, finding } from './finding';

const CHECK = 'redis-eviction';

/** Policies that never evict a key without a TTL. */
const SAFE_POLICY = /^(volatile-(lru|lfu|random|ttl)|noeviction)$/;

/** The value of `--<name> <value>` or `--<name>=<value>` in a container's command line. */
function flag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === `--${name}`) return args[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

function isRedis(container: IContainer): boolean {
  return (
    /(^|\/)(redis|valkey|redis-stack-server)(:|@|$)/.test(container.image ?? '') ||
    [...(container.command ?? []), ...(container.args ?? [])].some((a) => /(^|\/)(redis|valkey)-server$/.test(a))
  );
}

/**
 * Strata's Redis must never evict a key that has no TTL: the purge generations (`strata:g:<tenant>`)
 * have none by design, and evicting one makes every answer stored before a purge fresh again. Every
 * other key has a TTL, so `volatile-*` evicts what may go and `noeviction` refuses writes instead. A
 * Redis container whose `--maxmemory-policy` is `allkeys-*` (or anything else) is refused, `$(VAR)` references
 * resolved from its env. A Redis Cluster node (`--cluster-enabled yes`) must also keep its cluster config
 * file on a persistent volume.
 */
export function checkRedisEviction(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const object of objects) {
    const pod = podTemplateOf(object);
    for (const container of pod?.spec.containers ?? []) {
      if (!isRedis(container)) continue;
      // `$(NAME)` in the command line is the container's env value (Kubernetes expands it).
      const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
      const args = [...(container.command ?? []), ...(container.args ?? [])].map((a) =>
        a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name: string) => env.get(name) ?? ref),
      );
      const policy = flag(args, 'maxmemory-policy');
      // A Redis Cluster node keeps its identity and slots in its cluster config file (nodes.conf): on the
      // read-only root or an emptyDir, a restarted node comes back empty and unknown to the cluster.
      if (flag(args, 'cluster-enabled') === 'yes') {
        const file = flag(args, 'cluster-config-file') ?? 'nodes.conf';
        const path = file.startsWith('/') ? file : `${flag(args, 'dir') ?? '/data'}/${file}`;
        const claims = new Set(
          (
            (object.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined)
              ?.volumeClaimTemplates ?? []
          ).map((t) => t.metadata?.name),
        );
        const persistentVolumes = new Set([
          ...claims,
          ...(pod?.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.name),
        ]);
        const onVolume = (container.volumeMounts ?? []).some(
          (m) => persistentVolumes.has(m.name) && path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`),
        );
        if (!onVolume)
          out.push(
            finding(
              CHECK,
              objectRef(object),
              `container "${container.name}" is a Redis Cluster node whose cluster config file ${path} is not on a persistent volume: a restarted node would lose its identity and slots`,
            ),
          );
      }
      if (policy !== undefined && !SAFE_POLICY.test(policy)) {
        out.push(
          finding(
            CHECK,
            objectRef(object),
            `container "${container.name}" runs with --maxmemory-policy ${policy}, which can evict the purge generations (keys without a TTL): use volatile-lru (or another volatile-* policy, or noeviction)`,
          ),
        );
      }
    }
  }
  return out;
}
