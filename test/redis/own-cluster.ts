/**
 * A private Redis Cluster for a test that kills nodes: six redis-servers (three masters, three
 * replicas) on free ports, started by the same script developers use (scripts/redis-cluster.sh),
 * never the shared cluster on 7000-7005. Removed in teardown.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { Redis } from 'ioredis';

const SCRIPT = fileURLToPath(new URL('../../scripts/redis-cluster.sh', import.meta.url));
const run = promisify(execFile);

export interface OwnCluster {
  /** redis+cluster:// URL naming the three seed ports. */
  readonly url: string;
  readonly ports: readonly number[];
  /** The ports of the current masters (asked of the cluster). */
  masters(): Promise<number[]>;  /** The master and replicas (ports) of the slot that `key` hashes to, as the cluster says now. */
  shardOf(key: string): Promise<{ master: number; replicas: number[] }>;
  /** SIGKILL one node, as a crash would. */
  kill(port: number): void;
  /** Starts the nodes that are not running and waits for a healthy cluster (the script's `start`). */
  start(): Promise<void>;
  /** One command, answered by any node that is up. */
  ask(...args: string[]): Promise<unknown>;
  /** One command to the node on `port`. */
  command(port: number, ...args: string[]): Promise<unknown>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false)); // in use (events.once would reject instead)
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Six consecutive free ports whose cluster bus ports (+10000) are free too. */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = Array.from({ length: 6 }, (_, i) => base + i);
    if ((await Promise.all([...ports, ...ports.map((p) => p + 10_000)].map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no six free ports for a private Redis Cluster');
}

export async function startOwnCluster(t: Test, nodeTimeoutMs = 2000): Promise<OwnCluster> {
  const base = await freeBase();
  const dir = mkdtempSync(join(tmpdir(), 'livery-own-cluster-'));
  const args = ['--port', String(base), '--dir', dir, '--node-timeout', String(nodeTimeoutMs)];
  const ports = Array.from({ length: 6 }, (_, i) => base + i);
  /** One command to one node, on a connection of its own (nodes come and go). */
  const command = async (port: number, ...args: string[]): Promise<unknown> => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await redis.call(args[0]!, ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  };
  /** One command on the first node that answers. */
  const ask = async (...args: string[]): Promise<unknown> => {
    for (const port of ports) {
      try {
        return await command(port, ...args);
      } catch {
        // that node is down: ask another
      }
    }
    throw new Error('no node of the cluster answers');
  };
  const slots = async () => (await ask('CLUSTER', 'SLOTS')) as Array<[number, number, ...Array<[string, number, string]>]>;
  const cluster: OwnCluster = {
    url: `redis+cluster://${ports.slice(0, 3).map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    async masters() {
      return [...new Set((await slots()).map((shard) => Number(shard[2][1])))].sort();
    },
    async shardOf(key: string) {
      const slot = Number(await ask('CLUSTER', 'KEYSLOT', key));
      const shard = (await slots()).find(([from, to]) => slot >= from && slot <= to);
      if (shard === undefined) throw new Error(`no master serves ${key} (slot ${slot})`);
      const [, , master, ...replicas] = shard;
      return { master: Number(master[1]), replicas: replicas.map((replica) => Number(replica[1])) };
    },
    kill(port: number) {
      process.kill(Number(readFileSync(join(dir, `${port}.pid`), 'utf8').trim()), 'SIGKILL');
    },
    async start() {
      await run(SCRIPT, ['start', ...args]);
    },
    ask,
    command,
  };
  // The nodes are daemons: should this process die before its teardown (an uncaught error in a
  // top-level await), kill them on the way out rather than leave six orphans behind.
  const killNodes = () => {
    for (const port of ports) {
      try {
        process.kill(Number(readFileSync(join(dir, `${port}.pid`), 'utf8').trim()), 'SIGKILL');
      } catch {
        // not running
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNodes);
  t.teardown(async () => {
    process.off('exit', killNodes);
    await run(SCRIPT, ['stop', ...args]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  await cluster.start();
  return cluster;
}
