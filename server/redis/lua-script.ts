import { createHash } from 'node:crypto';
import { Command, type Cluster, type Redis } from 'ioredis';

/**
 * A Lua script sent by hash, and in full once when Redis does not know it (e.g. after a restart).
 * Every key a script touches must be among `keys` and share one hash tag (Redis Cluster runs a
 * script on one slot); ioredis applies a connection's `keyPrefix` to them. On a cluster each node
 * has its own script cache, so a script meets NOSCRIPT once per node.
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Like {@link LuaScript.run}, but written to the connection at once rather than at the end of
   * the turn with the other auto-pipelined commands: for a caller that already gathered a turn's
   * work into this one command (the state backend's saves).
   */
  async send(redis: Redis | Cluster, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    // As ioredis builds its own commands: the connection's keyPrefix applies to the keys.
    const options = { keyPrefix: (redis.options as { keyPrefix?: string }).keyPrefix, replyEncoding: 'utf8' as const };
    const command = (name: string, script: string) => {
      const sent = new Command(name, [script, keys.length, ...keys, ...args], options);
      void redis.sendCommand(sent);
      return sent.promise;
    };
    try {
      return await command('evalsha', this.#sha);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return command('eval', this.#source);
    }
  }

  async run(redis: Redis | Cluster, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
