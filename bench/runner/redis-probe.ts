/**
 * The Redis server a scenario runs Livery against, watched from outside: its own CPU (INFO cpu,
 * `used_cpu_sys` + `used_cpu_user`, which Redis reads from getrusage when asked, so a delta over a
 * window is exact) and, when it runs on this machine, its process — registered with the noise
 * guard as part of the system under test, so its work is not counted as foreign load.
 *
 * Unless REDIS_URL names one, the bench starts a Redis of its own (`redis-server` on a free port,
 * persistence off like the default local one) pinned to the load generator's CPU: a shared Redis
 * floats onto the server's core, where its work would be timed as the server's stalls and its
 * CPU would come out of the server's, and anything else using it would count as Livery's (D71).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { registerOwnPid, unregisterOwnPid } from './noise-guard.ts';
import { canPin, LOAD_CPU, pin } from './server-process.ts';

/** The Redis the bench's servers use: theirs is REDIS_URL or this default too (server/config/env.ts). */
export function benchRedisUrl(): string {
  return process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

export class RedisProbe {
  readonly url: string;
  readonly #redis: Redis;
  /** Redis's process id, when it is a process of this machine (else undefined). */
  readonly pid: number | undefined;
  /** The redis-server the bench started (stopped by `close`), or undefined for REDIS_URL's. */
  #own: ChildProcess | undefined;

  private constructor(url: string, redis: Redis, pid: number | undefined) {
    this.url = url;
    this.#redis = redis;
    this.pid = pid;
  }

  /** How this Redis runs, for the report. */
  get placement(): string {
    if (this.#own === undefined) return `Redis at ${this.url} (REDIS_URL), shared and not pinned: its CPU may come out of the server's core, and other clients' work counts as Livery's`;
    return canPin() ? `a redis-server of the bench's own, pinned to CPU ${LOAD_CPU} with the load generator (the server's core is the server's alone)` : "a redis-server of the bench's own, not pinned (no taskset or one CPU)";
  }

  /**
   * The bench's own redis-server pinned beside the load generator, or, when REDIS_URL is set or
   * redis-server is not installed, the Redis of REDIS_URL / the default (see `open`).
   */
  static async start(): Promise<RedisProbe | string> {
    if (process.env.REDIS_URL?.trim() || spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return RedisProbe.open();
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      const probe = await RedisProbe.open(url);
      if (probe instanceof RedisProbe) {
        pin(child.pid!, LOAD_CPU);
        probe.#own = child;
        return probe;
      }
      await sleep(50);
    }
    child.kill('SIGKILL');
    return `the bench's own redis-server on port ${port} did not start`;
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
    const own = this.#own;
    if (own !== undefined && own.exitCode === null && own.signalCode === null) {
      const exited = once(own, 'exit');
      own.kill('SIGKILL'); // nothing in it is kept: persistence is off
      await exited;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
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
