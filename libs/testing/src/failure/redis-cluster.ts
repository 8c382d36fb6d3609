import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', '..', '..', 'tools', 'redis-cluster', 'redis-cluster.sh');

/**
 * A local Redis Cluster of 3 masters and 3 replicas on six consecutive ports (`tools/redis-cluster/
 * redis-cluster.sh`, also run by `.ci/run`): started when no healthy cluster answers on the first port.
 */
export class LocalRedisCluster {
  private constructor(readonly firstPort: number) {}

  /** Starts the cluster unless a healthy one already answers on `firstPort` (default 7000). */
  static async ensure(firstPort = 7000): Promise<LocalRedisCluster> {
    await run(SCRIPT, ['start', String(firstPort)], { timeout: 60_000 });
    return new LocalRedisCluster(firstPort);
  }

  /** Seed nodes: the first three ports (a client discovers the rest). */
  get nodes(): string[] {
    return [0, 1, 2].map((i) => `redis://127.0.0.1:${this.firstPort + i}`);
  }

  /** The port of the master that currently serves `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number((await this.cli(this.firstPort, 'cluster', 'keyslot', key)).trim());
    for (const port of this.ports()) {
      let nodes: string;
      try {
        nodes = await this.cli(port, 'cluster', 'nodes');
      } catch {
        continue;
      }
      for (const line of nodes.split('\n')) {
        const [, address, flags, , , , , state, ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail') || state !== 'connected') continue;
        for (const range of ranges) {
          const [from, to = from] = range.split('-').map(Number);
          if (slot >= from && slot <= to) return Number(address?.split(':')[1]?.split('@')[0]);
        }
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** Kills a node's process outright (SIGKILL: no shutdown, nothing saved). */
  kill(port: number): void {
    const pid = Number(readFileSync(join(this.dir, `${port}.pid`), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  /** Whether the cluster reports `cluster_state:ok` from a given node. */
  async healthy(port: number): Promise<boolean> {
    try {
      return (await this.cli(port, 'cluster', 'info')).includes('cluster_state:ok');
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await run(SCRIPT, ['stop', String(this.firstPort)]);
  }

  private get dir(): string {
    return join(tmpdir(), `strata-redis-cluster-${this.firstPort}`);
  }

  private ports(): number[] {
    return [0, 1, 2, 3, 4, 5].map((i) => this.firstPort + i);
  }

  private async cli(port: number, ...args: string[]): Promise<string> {
    return (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 })).stdout;
  }
}
