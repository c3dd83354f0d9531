/**
 * The write-through path's cost on Redis (issue 12, D64), counted on a private redis-server so
 * every command seen is Livery's: an event or tick that leaves the state as it was stored sends
 * no command at all (MONITOR), and saves from many views in one event-loop turn travel together —
 * one command, one write on the connection, one round trip — a batch leaving as soon as it is full.
 */
import t, { type Test } from 'tap';
import { route } from '../../server/index.ts';
import { createRedis, type LiveryRedis } from '../../server/redis/index.ts';
import { RedisStateBackend, stateFingerprint, stateKey } from '../../server/state/index.ts';
import { SAVES_PER_SCRIPT } from '../../server/state/redis-state-backend.ts';
import type { Runtime } from '../../server/live/runtime.ts';
import { startOwnRedis, waitFor } from '../redis/own-redis.ts';
import { CounterView, TickerView } from '../live/fixtures/views.ts';
import { getPage, LiveClient, startServer, type Frame } from '../live/harness.ts';

const own = await startOwnRedis(t);
// The state backend's own connection, handed to the server, so the test can watch its writes.
const connection = createRedis(own.url, { name: 'write-through-test' }) as LiveryRedis;
t.teardown(() => connection.close());
const backend = new RedisStateBackend({ redis: connection, ttlSeconds: 600 });
const s = await startServer({ routes: [route('/counter', CounterView), route('/ticker', TickerView)], stateBackend: backend, pubsub: 'memory' });
t.teardown(() => s.close());
const runtime = s.server.app.livery.runtime as Runtime;
// A fresh Redis knows no script yet: the first call of each is answered NOSCRIPT and sent again
// in full. Load them first, so every count below is of a warm path.
{
  const key = stateKey('warm-up', 'scripts');
  await backend.set(key, '{}');
  await backend.save(key, '{"a":1}', (await backend.claim(key)).owner);
  await backend.keep(key, 'nobody');
  await backend.get(key);
  await backend.delete(key);
}

// Every command a client sent, as MONITOR reports it (commands a script runs inside Redis, source
// "lua", are part of that script's one command).
const watcher = createRedis(own.url, { name: 'monitor' }) as LiveryRedis;
t.teardown(() => watcher.close());
const monitor = await watcher.monitor();
t.teardown(() => monitor.disconnect());
const seen: string[][] = [];
monitor.on('monitor', (_time: string, args: unknown[], source: string) => {
  if (source !== 'lua') seen.push(args.map(String));
});

const probe = createRedis(own.url, { name: 'probe' }) as LiveryRedis;
t.teardown(() => probe.close());
let marks = 0;

/**
 * The state commands (any touching tenant `public`'s keys) Redis ran since the last call. A
 * marker sent after the awaited replies closes the span: Redis runs commands in arrival order,
 * and every save is sent before its event's reply (D4).
 */
async function stateCommandsSince(): Promise<string[][]> {
  const marker = `mark-${++marks}`;
  await probe.echo(marker);
  await waitFor(`MONITOR to show ${marker}`, () => seen.some((args) => args[1] === marker));
  const span = seen.splice(0, seen.findIndex((args) => args[1] === marker) + 1);
  return span.filter((args) => args.some((arg) => arg.includes('{public}')));
}

function instanceOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { i: string }).i;
}

/** The reply to an event, skipping pushes (a ticking view's diffs) that arrive before it. */
async function answer(client: LiveClient, name: string): Promise<Frame> {
  const ref = client.nextRef();
  client.send([2, 'e', ref, 1, name, {}]);
  for (;;) {
    const frame = await client.next();
    if (frame[2] === ref) return frame;
  }
}

const count = (frame: Frame) => (frame[4] as Record<string, unknown> | undefined)?.['0'];

async function joined(t: Test, path: string): Promise<{ client: LiveClient; instance: string }> {
  const page = await getPage(s.url, path);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token);
  t.equal(reply[1], 'r', 'joined');
  return { client, instance: instanceOf(page.token) };
}

t.test('a fingerprint: a short state itself, a longer one its digest (one per view, whatever the size)', async (t) => {
  t.equal(stateFingerprint('{"count":7}'), '{"count":7}');
  const long = JSON.stringify({ note: 'x'.repeat(1000) });
  t.equal(stateFingerprint(long).length, 44, 'SHA-256, base64');
  t.equal(stateFingerprint(long), stateFingerprint(JSON.stringify({ note: 'x'.repeat(1000) })), 'the same state, the same fingerprint');
  t.not(stateFingerprint(long), stateFingerprint(long.replace('xx"', 'xy"')), 'one character apart: different');
});

t.test('an event that changes nothing sends no Redis command', async (t) => {
  const { client, instance } = await joined(t, '/counter');
  await stateCommandsSince();

  t.equal(count(await client.event(1, 'inc')), '1');
  const saved = await stateCommandsSince();
  t.equal(saved.length, 1, `a change is stored, in one command: ${JSON.stringify(saved)}`);
  t.equal(saved[0][0].toLowerCase(), 'evalsha');

  t.equal((await client.event(1, 'noop'))[1], 'r', 'a handler that touches nothing');
  t.equal((await client.event(1, 'set', { value: 1 }))[1], 'r', 'a handler that writes the value already there');
  t.equal((await client.event(1, 'set', { value: '1' }))[1], 'r', 'twice');
  t.same(await stateCommandsSince(), [], 'acknowledged without a single Redis command');

  t.equal(count(await client.event(1, 'set', { value: 7 })), '7');
  t.equal((await stateCommandsSince()).length, 1, 'a real change after them is stored');
  t.equal((await client.event(1, 'set', { value: 7 }))[1], 'r');
  t.same(await stateCommandsSince(), [], 'and setting it again is not');

  t.equal(count(await client.event(1, 'inc')), '8');
  t.equal(count(await client.event(1, 'dec')), '7', 'back to a state stored two saves ago');
  t.equal((await stateCommandsSince()).length, 2, 'each change is stored: only the state last stored is skipped');
  t.equal(await backend.get(stateKey('public', instance)), '{"count":7}', 'what Redis holds is what was acknowledged');
});

t.test('a tick that rewrites the same value sends no Redis command', async (t) => {
  const { client, instance } = await joined(t, '/ticker');
  const view = runtime.liveView('public', instance)!;
  await waitFor('two changing ticks', () => (JSON.parse(view.serialize()) as { n: number }).n >= 2);
  t.equal((await answer(client, 'freeze'))[1], 'r', 'from now on every tick writes back the value already there');
  await view.settled();
  await stateCommandsSince();
  const renders = runtime.counters.renders;
  await waitFor('three more ticks', () => runtime.counters.renders >= renders + 3);
  await view.settled();
  t.same(await stateCommandsSince(), [], 'ticks that leave the state as stored send nothing to Redis');
  const stored = JSON.parse((await backend.get(stateKey('public', instance)))!) as { n: number };
  t.same(JSON.parse(view.serialize()), stored, 'Redis holds the state as it is');
});

t.test('saves from many views in one event-loop turn share one round trip', async (t) => {
  const views = await Promise.all(Array.from({ length: 20 }, () => joined(t, '/counter')));
  for (const { client } of views) t.equal(count(await client.event(1, 'inc')), '1', 'warm: the script is loaded');
  const mounted = views.map(({ instance }) => runtime.liveView('public', instance)!);

  // Count the writes on the state connection's socket: a pipelined batch is one.
  const stream = (connection as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
  const write = stream.write;
  let writes = 0;
  stream.write = function (this: unknown, ...args: unknown[]) {
    writes++;
    return write.apply(this, args);
  };
  t.teardown(() => void (stream.write = write));
  const sent = connection.commandsSent;
  const trips = connection.roundTrips;

  // One turn: every view handles an event before anything is awaited.
  for (const view of mounted) view.event(100, 'inc', {});
  const replies = await Promise.all(views.map(({ client }) => client.next()));
  t.ok(replies.every((frame) => frame[1] === 'r' && frame[2] === 100 && count(frame) === '2'), 'every event acknowledged');
  t.equal(connection.commandsSent - sent, 1, 'one command (one SAVE script carrying all twenty saves)');
  t.equal(writes, 1, 'written to Redis in one write');
  t.equal(connection.roundTrips - trips, 1, 'one round trip');
  for (const { instance } of views) t.equal(await backend.get(stateKey('public', instance)), '{"count":2}');
});

t.test('a turn with more saves than one script carries sends each full batch at once, and stores every acknowledged event', async (t) => {
  const views = await Promise.all(Array.from({ length: SAVES_PER_SCRIPT + 8 }, () => joined(t, '/counter')));
  for (const { client } of views) t.equal(count(await client.event(1, 'inc')), '1', 'warm: the script is loaded');
  const mounted = views.map(({ instance }) => runtime.liveView('public', instance)!);
  const sent = connection.commandsSent;

  for (const view of mounted) view.event(100, 'inc', {});
  t.equal(connection.commandsSent - sent, 1, 'the first full batch left during the turn, before its end');
  const replies = await Promise.all(views.map(({ client }) => client.next()));
  t.ok(replies.every((frame) => frame[1] === 'r' && frame[2] === 100 && count(frame) === '2'), 'every event acknowledged');
  t.equal(connection.commandsSent - sent, 2, 'the rest at the end of the turn: two commands in all');
  // Read on another connection: what an acknowledgement promised is in Redis, for every view.
  const stored = await Promise.all(views.map(({ instance }) => probe.hget(stateKey('public', instance), 's')));
  t.same(stored, views.map(() => '{"count":2}'), 'each acknowledged state is stored');
});
