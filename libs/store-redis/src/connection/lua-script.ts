import { createHash } from 'node:crypto';

/** Sends one raw command (on a cluster: to the node owning `firstKey`). */
type SendCommand = (command: string[], firstKey: string | undefined) => Promise<unknown>;

/**
 * A Lua script run by its SHA (EVALSHA), sent in full (EVAL, which also caches it) only when the server
 * does not know it yet — after a restart or a SCRIPT FLUSH. On a cluster the script goes to the node owning
 * its first key (every key it touches must be in that key's slot). Sent as raw commands: node-redis 4.7's
 * cluster client routes `evalSha`/`eval` to a random node (it reads the keys from the wrong argument).
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(send: SendCommand, keys: string[], args: string[]): Promise<unknown> {
    const rest = [String(keys.length), ...keys, ...args];
    try {
      return await send(['EVALSHA', this.sha, ...rest], keys[0]);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return send(['EVAL', this.source, ...rest], keys[0]);
      throw error;
    }
  }
}
