/**
 * Scale-out, proven with three real Livery processes (the example app as `--workers` runs it),
 * real PostgreSQL and a private Redis — a single server (three-processes.test.ts) or a Redis
 * Cluster (three-processes.cluster.test.ts): sessions resume on another process after SIGKILL,
 * broadcasts, presence and notify-on-save cross processes, and acme never leaks to globex. Each
 * variant adds what its Redis does when a node goes away under load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { exampleDatabase } from '../../data/index.ts';
import { postgresFactory } from '../data/fixtures.ts';
import { getPage, httpGet, LiveClient, type Frame } from '../live/harness.ts';
import { waitFor } from '../redis/own-redis.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'three-processes-secret-three-processes-secret';

export interface Proc {
  child: ChildProcess;
  port: number;
  output: () => string;
}

export interface Processes {
  A: Proc;
  B: Proc;
  C: Proc;
  /** Starts another process of the app (e.g. a replacement). */
  start(name: string): Promise<Proc>;
  /** Spawns the app with extra environment, not waiting for it to listen. */
  spawnApp(extra: Record<string, string>): ChildProcess;
  base(p: Proc): string;
  host(tenant: string, p: Proc): string;
  /** Opens `path` as `tenant` on process `p` (a fresh browser session unless `cookie` is given). */
  openView(p: Proc, tenant: string, path: string, cookie?: string): Promise<{ client: LiveClient; page: Awaited<ReturnType<typeof getPage>>; joined: Frame; token: string }>;
  /** Waits until `p` answers /healthz with `status`. */
  healthy(p: Proc, status?: number): Promise<void>;
}

/** The example app on PostgreSQL and `redisUrl`, three processes started and healthy. */
export async function startProcesses(t: Test, redisUrl: string): Promise<Processes> {
  const fixture = await postgresFactory({ data: exampleDatabase });
  const children: ChildProcess[] = [];
  const clients: LiveClient[] = [];
  // Children first: the database cannot be dropped while their connections are open.
  t.teardown(async () => {
    for (const client of clients) client.ws.terminate();
    await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => {
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      return exited;
    }));
    await fixture.cleanup();
  });
  await exampleDatabase.seed(fixture.db);

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    LIVERY_WORKER: '1', // migrated and seeded above, as the --workers supervisor does
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: fixture.ownerUrl!,
    LIVERY_STATE_BACKEND: 'redis',
    LIVERY_PUBSUB: 'redis',
    REDIS_URL: redisUrl,
    LIVERY_SECRET: SECRET,
    LIVERY_PRESENCE_HEARTBEAT: '300',
    LIVERY_LOG_LEVEL: 'info',
    ...extra,
  });
  const spawnApp = (extra: Record<string, string>) => {
    const child = spawn(process.execPath, ['server/cli/livery.js', 'start'], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  const start = async (name: string): Promise<Proc> => {
    const child = spawnApp({});
    let out = '';
    child.stdout!.on('data', (chunk) => { out += chunk; });
    child.stderr!.on('data', (chunk) => { out += chunk; });
    await waitFor(`process ${name} to listen`, () => /Livery example app: http:\/\/127\.0\.0\.1:\d+/.test(out) || child.exitCode !== null, 30_000)
      .catch((error) => { throw new Error(`${error.message}; its output:\n${out.slice(-3000)}`); });
    if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
    const port = Number(/Livery example app: http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    return { child, port, output: () => out };
  };
  const base = (p: Proc) => `http://127.0.0.1:${p.port}`;
  const host = (tenant: string, p: Proc) => `${tenant}.localhost:${p.port}`;
  const healthy = (p: Proc, status = 200) => waitFor(`:${p.port} /healthz ${status}`, async () => (await httpGet(`${base(p)}/healthz`, {})).status === status, 30_000);
  const openView = async (p: Proc, tenant: string, path: string, cookie?: string) => {
    const page = await getPage(base(p), path, cookie, host(tenant, p));
    // Throw rather than assert: an assertion on the root test during setup would end it early.
    if (page.status !== 200) throw new Error(`${path} on ${tenant} via :${p.port}: HTTP ${page.status}`);
    const client = await LiveClient.open(base(p), { cookie: page.cookie, host: host(tenant, p) });
    clients.push(client);
    const joined = await client.join(1, page.view, page.token, 15_000).catch((error) => {
      throw new Error(`${error.message}; process output:\n${p.output().slice(-3000)}`);
    }); // cold processes on two cores
    return { client, page, joined, token: (joined[4] as { t: string }).t };
  };

  const [A, B, C] = await Promise.all([start('A'), start('B'), start('C')]);
  // As a load balancer would: send traffic only to processes that report healthy (Redis up).
  for (const p of [A, B, C]) await healthy(p);
  return { A, B, C, start, spawnApp, base, host, openView, healthy };
}

/** Frames until one satisfies `match` (ticks and unrelated pushes are skipped). */
export async function until(client: LiveClient, match: (frame: Frame) => boolean, what: string): Promise<Frame> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const frame = await client.next(Math.max(1, deadline - Date.now())).catch(() => { throw new Error(`no frame with ${what}`); });
    if (match(frame)) return frame;
  }
}
export const mentions = (text: string) => (frame: Frame) => JSON.stringify(frame).includes(text);

/** The root slot right after the static that ends with `marker` (e.g. `<span id="presence">`). */
export function slotAfter(joined: Frame, marker: string): string {
  const root = joined[4] as { s: string; p: Record<string, string[]> };
  const index = root.p[root.s].findIndex((text) => text.endsWith(marker));
  if (index < 0) throw new Error(`no slot after ${marker}`);
  return String(index);
}

/** Matches a push or reply that sets root slot `slot` to `value`. */
export const sets = (slot: string, value: string) => (frame: Frame) => {
  const diff = (frame[1] === 'd' ? frame[3] : frame[1] === 'r' ? frame[4] : undefined) as Record<string, unknown> | undefined;
  return diff?.[slot] === value;
};

/** The scenarios every Redis passes: resume after SIGKILL, cross-process messages, no leak. */
export async function crossProcessScenarios(t: Test, ps: Processes): Promise<void> {
  const { A, B, C, base, host, openView } = ps;
  // A globex tab on C watches everything acme does: it must never see any of it.
  const globexWatcher = await openView(C, 'globex', '/projects');
  const globexFrames: Frame[] = [];
  globexWatcher.client.ws.on('message', (data) => globexFrames.push(JSON.parse(String(data))));

  t.test('a session started on A resumes on B after A is killed with SIGKILL', async (t) => {
    const { client, page, token } = await openView(A, 'acme', '/counter');
    for (let i = 1; i <= 3; i++) t.same((await client.event(1, 'inc'))[4], { 0: String(i) });
    A.child.kill('SIGKILL');
    await once(A.child, 'exit');
    await client.closed;
    const resumed = await LiveClient.open(base(B), { cookie: page.cookie, host: host('acme', B) });
    t.teardown(() => resumed.close());
    const rejoin = await resumed.join(1, page.view, token);
    t.equal((rejoin[4] as Record<string, unknown>)['0'], '3', 'state written through to Redis survives the process');
    t.same((await resumed.event(1, 'inc'))[4], { 0: '4' });
  });

  t.test('broadcast, presence and notify-on-save cross processes', async (t) => {
    const A2 = await ps.start('A2'); // A's replacement
    await ps.healthy(A2);
    const onA = await openView(A2, 'acme', '/projects');
    const onB = await openView(B, 'acme', '/projects');
    const onC = await openView(C, 'acme', '/projects');

    // Presence: C lists the tabs on A and B (and itself), across processes.
    const presence = slotAfter(onC.joined, '<span id="presence">');
    const waves = slotAfter(onC.joined, '<span id="waves">');
    if ((onC.joined[4] as Record<string, unknown>)[presence] !== '3') await until(onC.client, sets(presence, '3'), 'presence 3 on C');
    t.pass('presence on C counts the users on A and B');

    // Broadcast from A reaches B and C.
    const ref = onA.client.nextRef();
    onA.client.send([2, 'e', ref, 1, 'wave', {}]);
    for (const [name, tab] of [['B', onB], ['C', onC]] as const) {
      await until(tab.client, sets(waves, '1'), `wave on ${name}`);
      t.pass(`the broadcast from A reached ${name}`);
    }

    // A project saved through B re-renders the watchers on A and C.
    const added = onB.client.nextRef();
    onB.client.send([2, 'e', added, 1, 'add', { name: 'Cross-process anvil' }]);
    for (const [name, tab] of [['A', onA], ['C', onC]] as const) {
      await until(tab.client, mentions('Cross-process anvil'), `the new project on ${name}`);
      t.pass(`the save through B re-rendered ${name}`);
    }

    // A tab leaving (its process killed) disappears from presence within the heartbeat bound.
    A2.child.kill('SIGKILL');
    await until(onC.client, sets(presence, '2'), 'presence back to 2 on C');
    t.pass('a crashed process\'s presence entries expire');
  });

  t.test('nothing of acme\'s ever reached globex', async (t) => {
    const leaked = globexFrames.filter((f) => /Cross-process anvil|Rocket Skates|Acme/.test(JSON.stringify(f)));
    t.same(leaked, [], 'no globex frame mentions acme\'s data');
    const page = await getPage(base(C), '/projects', undefined, host('globex', C));
    t.notMatch(page.html, 'Cross-process anvil');
    t.match(page.html, 'Doomsday Device');
  });
}
