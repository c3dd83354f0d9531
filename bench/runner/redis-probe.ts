/**
 * The Redis server a scenario runs Livery against, watched from outside: its own CPU (INFO cpu,
 * `used_cpu_sys` + `used_cpu_user`, which Redis reads from getrusage when asked, so a delta over a
 * window is exact) and, when it runs on this machine, its process — registered with the noise
 * guard as part of the system under test, so its work is not counted as foreign load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { registerOwnPid, unregisterOwnPid } from './noise-guard.ts';

/** The Redis the bench's servers use: theirs is REDIS_URL or this default too (server/config/env.ts). */
export function benchRedisUrl(): string {
  return process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

export class RedisProbe {
  readonly url: string;
  readonly #redis: Redis;
  /** Redis's process id, when it is a process of this machine (else undefined). */
  readonly pid: number | undefined;

  private constructor(url: string, redis: Redis, pid: number | undefined) {
    this.url = url;
    this.#redis = redis;
    this.pid = pid;
  }

  /** Connects, or returns why it could not (no Redis is a reason to skip a row, not to fail). */
  static async open(url = benchRedisUrl()): Promise<RedisProbe | string> {
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    redis.on('error', () => {}); // reported through the connect below
    try {
      await redis.connect();
      const server = parseInfo(await redis.info('server'));
      const pid = Number(server.process_id);
      // A Redis elsewhere (or in a container) has a pid that means nothing here.
      const local = Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) && readComm(pid).startsWith('redis');
      if (local) registerOwnPid(pid);
      return new RedisProbe(url, redis, local ? pid : undefined);
    } catch (err) {
      redis.disconnect();
      return `no Redis at ${url}: ${(err as Error).message}`;
    }
  }

  /** Redis's CPU time so far (system + user), in milliseconds. */
  async cpuMs(): Promise<number> {
    const cpu = parseInfo(await this.#redis.info('cpu'));
    return 1000 * (Number(cpu.used_cpu_sys) + Number(cpu.used_cpu_user));
  }

  async close(): Promise<void> {
    if (this.pid !== undefined) unregisterOwnPid(this.pid);
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/** /proc/<pid>/comm: the executable's name ("redis-server"), or '' when unreadable. */
function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** `INFO` text as field → value. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}
