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
 * Redis container whose `--maxmemory-policy` is `allkeys-*` (or anything else) is refused.
 */
export function checkRedisEviction(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const object of objects) {
    const pod = podTemplateOf(object);
    for (const container of pod?.spec.containers ?? []) {
      if (!isRedis(container)) continue;
      const args = [...(container.command ?? []), ...(container.args ?? [])];
      const policy = flag(args, 'maxmemory-policy');
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
