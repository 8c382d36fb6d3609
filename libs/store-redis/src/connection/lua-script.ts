import { createHash } from 'node:crypto';
import { type RedisCommands } from './redis-connection';

/**
 * A Lua script run by its SHA (EVALSHA), sent in full (EVAL, which also caches it) only when the server
 * does not know it yet — after a restart or a SCRIPT FLUSH. On a cluster the script goes to the node owning
 * its first key (every key it touches must be in that key's slot).
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisCommands, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await client.evalSha(this.sha, options);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(this.source, options);
      throw error;
    }
  }
}
