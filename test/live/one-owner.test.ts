/**
 * One live owner per view instance (hardening issue, finding 6; D34). The attack: the same view
 * instance (the same page's token) joined on process 1 and then on process 2; process 2's
 * acknowledged increments were lost when process 1's stale copy saved on close, and two joins
 * racing in one process gave two live copies. Two Livery servers in this process share one
 * private redis-server, as two processes would; a server "deaf" to takeover notices (pub/sub in
 * memory) shows that the owner token alone protects acknowledged state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { route } from '../../server/index.ts';
import { createRedis } from '../../server/redis/index.ts';
import { stateKey } from '../../server/state/index.ts';
import type { Runtime } from '../../server/live/runtime.ts';
import { startOwnRedis, waitFor } from '../redis/own-redis.ts';
import { CounterView } from './fixtures/views.ts';
import { getPage, LiveClient, startServer, type Frame, type TestServer } from './harness.ts';

const redis = await startOwnRedis(t);
const direct = createRedis(redis.url, { name: 'one-owner-test' });
t.teardown(() => direct.close());
const routes = [route('/counter', CounterView)];

/** The Redis key of a page's view instance (the token's payload names it; no tenancy: tenant `public`). */
function keyOf(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { i: string };
  return stateKey('public', claims.i);
}

interface Server extends TestServer {
  readonly runtime: Runtime;
  readonly logs: string[];
}

/** A server on the private Redis; `deaf`: its pub/sub is process-local, so no takeover notice reaches it. */
async function server(t: Test, options: { deaf?: boolean; backend?: string; ttlSeconds?: number } = {}): Promise<Server> {
  const logs: string[] = [];
  const backend = options.backend ?? 'redis';
  const s = await startServer({
    routes, state: { backend, ttlSeconds: options.ttlSeconds }, pubsub: options.deaf || backend === 'memory' ? 'memory' : 'redis', redisUrl: redis.url,
    logLevel: 'info', logStream: { write: (line) => void logs.push(line) },
  });
  t.teardown(() => s.close());
  return { ...s, runtime: s.server.app.livery.runtime, logs };
}

const count = (frame: Frame) => (frame[4] as Record<string, unknown> | undefined)?.['0'];
const isTakenOver = (frame: Frame) => frame[1] === 'x' && frame[4] === 'LV_VIEW_TAKEN_OVER';

/** Opens a socket with the page's session and joins the page's view instance (vid 1); returns the client and the fresh token. */
async function join(t: Test, s: TestServer, page: { cookie: string; view: string }, token: string) {
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const joined = await client.join(1, page.view, token);
  t.equal(joined[1], 'r', `joined: ${JSON.stringify(joined).slice(0, 100)}`);
  return { client, joined, token: (joined[4] as { t: string }).t };
}

/** Sends an event and returns its answer, skipping other frames (a takeover notice, ref 0). */
async function answer(client: LiveClient, name: string): Promise<Frame> {
  const ref = client.nextRef();
  client.send([2, 'e', ref, 1, name, {}]);
  for (;;) {
    const frame = await client.next();
    if (frame[2] === ref) return frame;
  }
}

async function incs(t: Test, client: LiveClient, n: number): Promise<unknown> {
  let last: unknown;
  for (let i = 0; i < n; i++) {
    const reply = await answer(client, 'inc');
    t.equal(reply[1], 'r', 'acknowledged');
    last = count(reply);
  }
  return last;
}

t.test('a stale copy on another process closing cannot overwrite what the new owner acknowledged (owner token alone)', async (t) => {
  const one = await server(t, { deaf: true });
  const two = await server(t);
  const page = await getPage(one.url, '/counter');
  const first = await join(t, one, page, page.token);
  t.equal(await incs(t, first.client, 2), '2');

  const second = await join(t, two, page, page.token);
  t.equal(count(second.joined), '2', 'process 2 took the instance over with its last acknowledged state');
  t.equal(await incs(t, second.client, 5), '7', 'process 2 acknowledged five more');

  await first.client.close(); // process 1's copy saves on close: the attack
  await waitFor('process 1 to refuse its stale save', () => one.logs.some((line) => line.includes('its copy was not saved')));
  t.equal(one.runtime.liveViews, 0);

  const again = await join(t, one, page, second.token);
  t.equal(count(again.joined), '7', 'all five acknowledged increments survived the stale copy\'s close');
});

t.test('the stale copy\'s next event is answered LV_VIEW_TAKEN_OVER and stores nothing', async (t) => {
  const one = await server(t, { deaf: true });
  const two = await server(t);
  const page = await getPage(one.url, '/counter');
  const first = await join(t, one, page, page.token);
  t.equal(await incs(t, first.client, 1), '1');
  const second = await join(t, two, page, page.token);
  t.equal(await incs(t, second.client, 3), '4');

  const stale = await answer(first.client, 'inc');
  t.ok(isTakenOver(stale), `the stale copy's event is refused: ${JSON.stringify(stale).slice(0, 120)}`);
  t.match(String(stale[5]), /opened again in another tab or window.*Reload the page/, 'the message tells the user what to do');
  const later = await answer(first.client, 'inc');
  t.ok(isTakenOver(later), 'and so is every later event for that view');
  t.equal(one.runtime.liveViews, 0, 'process 1 closed its copy');

  t.equal(await incs(t, second.client, 1), '5', 'the owner goes on from its own state');
  await second.client.close();
  const again = await join(t, one, page, second.token);
  t.equal(count(again.joined), '5');
});

t.test('the old owner is told at once, before it sends anything (takeover notice)', async (t) => {
  const one = await server(t);
  const two = await server(t);
  const page = await getPage(one.url, '/counter');
  const first = await join(t, one, page, page.token);
  t.equal(await incs(t, first.client, 2), '2');
  const second = await join(t, two, page, page.token);
  const notice = await first.client.next();
  t.ok(isTakenOver(notice), `an error frame: ${JSON.stringify(notice).slice(0, 120)}`);
  t.same(notice.slice(0, 4), [2, 'x', 0, 1], 'ref 0 (it answers no frame), for the view id');
  await waitFor('process 1 to close its copy', () => one.runtime.liveViews === 0);
  t.equal(await incs(t, second.client, 1), '3');
  t.ok(isTakenOver(await answer(first.client, 'inc')));
});

for (const backend of ['memory', 'redis']) {
  t.test(`${backend}: two joins racing for one instance in one process leave one live copy; the newest wins`, async (t) => {
    const s = await server(t, { backend });
    const page = await getPage(s.url, '/counter');
    const mounts = CounterView.mounts;
    const clients = await Promise.all([0, 1].map(() => LiveClient.open(s.url, { cookie: page.cookie })));
    for (const client of clients) t.teardown(() => client.close());
    // Both joins are in flight at once: neither waits for the other's reply.
    for (const client of clients) client.send([2, 'j', client.nextRef(), 1, page.view, page.token]);
    const joins = await Promise.all(clients.map((client) => client.next()));
    const answers = await Promise.all(clients.map((client) => answer(client, 'inc')));
    const live = answers.filter((frame) => frame[1] === 'r');
    t.equal(live.length, 1, `exactly one copy answers events: ${JSON.stringify(answers).slice(0, 300)}`);
    t.equal(count(live[0]), '1', 'from the state the page mounted');
    t.ok(answers.some(isTakenOver), 'the other is told it was taken over');
    t.equal(CounterView.mounts - mounts, 0, 'no join mounted afresh: the state was handed over, never lost');
    t.equal(s.runtime.liveViews, 1);
    // The winner is the join that came second; the loser joined first (or was refused during its join).
    const loser = answers.findIndex(isTakenOver);
    t.ok(joins[loser][1] === 'r' || isTakenOver(joins[loser]), 'the loser\'s join was answered (a reply, or LV_VIEW_TAKEN_OVER)');
  });
}

t.test('memory: a second join in one process takes the newest state from memory; the first socket is told', async (t) => {
  const s = await server(t, { backend: 'memory' });
  const page = await getPage(s.url, '/counter');
  const first = await join(t, s, page, page.token);
  t.equal(await incs(t, first.client, 3), '3');
  const second = await join(t, s, page, page.token);
  t.equal(count(second.joined), '3', 'the unsaved in-memory state moved to the new socket');
  t.ok(isTakenOver(await first.client.next()), 'the first socket was told');
  t.ok(isTakenOver(await answer(first.client, 'inc')));
  await first.client.close();
  t.equal(await incs(t, second.client, 1), '4');
  await second.client.close();
  await waitFor('the state saved on close', () => s.runtime.liveViews === 0);
  const again = await join(t, s, page, second.token);
  t.equal(count(again.joined), '4', 'the first socket\'s close saved nothing over it');
});

t.test('without any notice, the stale copy learns at its next refresh; the owner\'s state outlives the TTL while it is live', async (t) => {
  const one = await server(t, { deaf: true, ttlSeconds: 3 }); // refreshes every second
  const two = await server(t, { ttlSeconds: 3 });
  const page = await getPage(one.url, '/counter');
  const first = await join(t, one, page, page.token);
  t.equal(await incs(t, first.client, 1), '1');
  const second = await join(t, two, page, page.token);
  t.equal(await incs(t, second.client, 2), '3');
  t.ok(isTakenOver(await first.client.next()), 'process 1 heard no notice, and closed its copy at its refresh');
  t.equal(one.runtime.liveViews, 0);

  await sleep(4000); // longer than the state TTL, with no event on the live view
  t.equal(await direct.exists(keyOf(page.token)), 1, 'the live owner kept its state from expiring');
  t.equal(await incs(t, second.client, 1), '4');
});

t.test('a state Redis lost is stored again by its live owner at its next refresh', async (t) => {
  const s = await server(t, { ttlSeconds: 3 });
  const page = await getPage(s.url, '/counter');
  const owner = await join(t, s, page, page.token);
  t.equal(await incs(t, owner.client, 2), '2');
  await direct.del(keyOf(page.token)); // what a Redis restart without persistence does
  await waitFor('the owner to store its state again', async () => (await direct.exists(keyOf(page.token))) === 1);
  t.equal(await direct.hget(keyOf(page.token), 's'), '{"count":2}');
  t.equal(await incs(t, owner.client, 1), '3', 'and it stays the owner');
});
