/**
 * A broadcast's shared frame goes out as one native uWS publish to the sockets of a channel's
 * views with one vid (D70). What must hold: every recipient gets exactly its own frame once, a
 * socket whose view left (or whose socket closed) gets nothing while the others still get theirs,
 * a view that joins again is on the topic again, and no socket of one tenant ever gets another
 * tenant's publish — even for the same topic name and vid.
 */
import t, { type Test } from 'tap';
import { seedTestData } from '../data/fixtures/seed.ts';
import { pgliteFactory } from '../data/fixtures.ts';
import { broadcastRoutes } from './fixtures/broadcast-views.ts';
import { getPage, LiveClient, startServer, type TestServer } from './harness.ts';

const QUIET_MS = 150;

async function joined(t: Test, s: TestServer, path: string, options: { cookie?: string; host?: string } = {}) {
  const page = await getPage(s.url, path, options.cookie, options.host);
  const client = await LiveClient.open(s.url, { cookie: page.cookie, ...(options.host ? { host: options.host } : {}) });
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token);
  t.equal(reply[1], 'r', `joined ${path}`);
  return { client, page };
}

const counters = (s: TestServer) => s.server.app.livery.runtime.counters;

/** A board's diff for a post of `value` (`n` = value), detail shown, offset 0. */
const shown = (value: string) => ({ 0: value, 1: { 0: value }, 2: value });

/** The client's next frame is `frame`, and nothing follows it. */
async function exactlyOnce(t: Test, client: LiveClient, frame: unknown, what: string) {
  t.same(await client.next(), frame, what);
  t.ok(await client.silentFor(QUIET_MS), `${what}: once`);
}

t.test('a group gets its frame in one publish, each socket once; a subscribed sender is left out of it and gets its own', async (t) => {
  const s = await startServer({ routes: broadcastRoutes });
  t.teardown(() => s.close());
  const boards = await Promise.all(Array.from({ length: 6 }, () => joined(t, s, '/board')));
  const { client: publisher } = await joined(t, s, '/publisher');

  let published = counters(s).framesPublished;
  t.same(await publisher.event(1, 'post', { value: '5', n: 5 }), [2, 'r', 2, 1]);
  for (const [i, { client }] of boards.entries()) await exactlyOnce(t, client, [2, 'd', 1, shown('5')], `board ${i}`);
  t.equal(counters(s).framesPublished - published, 6, 'all six frames went out in the publish');

  // A board posts: busy with its event when its own copy arrives, it renders that alone; the
  // five others are every socket on the topic but the sender's, which publishes to them.
  const [sender, ...others] = boards;
  published = counters(s).framesPublished;
  const ref = sender.client.nextRef();
  sender.client.send([2, 'e', ref, 1, 'post', { value: '6', n: 6 }]);
  const got = [await sender.client.next(), await sender.client.next()];
  t.same(got.find((f) => f[1] === 'r'), [2, 'r', ref, 1], 'the sender\'s reply');
  t.same(got.find((f) => f[1] === 'd'), [2, 'd', 1, shown('6')], 'the sender\'s own push');
  t.ok(await sender.client.silentFor(QUIET_MS), 'and nothing more: not the published copy');
  for (const [i, { client }] of others.entries()) await exactlyOnce(t, client, [2, 'd', 1, shown('6')], `other board ${i}`);
  t.equal(counters(s).framesPublished - published, 5, 'the five others through the publish');
});

t.test('a view that leaves gets nothing; joined again, on another vid or socket, it gets each frame once', async (t) => {
  const s = await startServer({ routes: broadcastRoutes });
  t.teardown(() => s.close());
  const a = await joined(t, s, '/board');
  const b = await joined(t, s, '/board');
  const c = await joined(t, s, '/board');
  const { client: publisher } = await joined(t, s, '/publisher');

  // b leaves vid 1: the topic of vid 1 loses b's socket.
  const leaveRef = b.client.nextRef();
  b.client.send([2, 'l', leaveRef, 1]);
  t.same(await b.client.next(), [2, 'r', leaveRef, 1], 'left');
  await publisher.event(1, 'post', { value: '1', n: 1 });
  await exactlyOnce(t, a.client, [2, 'd', 1, shown('1')], 'a');
  await exactlyOnce(t, c.client, [2, 'd', 1, shown('1')], 'c');
  t.ok(await b.client.silentFor(QUIET_MS), 'nothing for the view that left');

  // b joins again, as vid 1 and (a second board on its socket) as vid 2.
  const again = await getPage(s.url, '/board', b.page.cookie);
  t.equal((await b.client.join(1, again.view, again.token))[1], 'r', 'rejoined as vid 1');
  const second = await getPage(s.url, '/board', b.page.cookie);
  t.equal((await b.client.join(2, second.view, second.token))[1], 'r', 'joined as vid 2');
  const published = counters(s).framesPublished;
  await publisher.event(1, 'post', { value: '2', n: 2 });
  await exactlyOnce(t, a.client, [2, 'd', 1, shown('2')], 'a');
  await exactlyOnce(t, c.client, [2, 'd', 1, shown('2')], 'c');
  const bFrames = [await b.client.next(), await b.client.next()].sort((x, y) => Number(x[2]) - Number(y[2]));
  t.same(bFrames, [[2, 'd', 1, shown('2')], [2, 'd', 2, shown('2')]], 'b: one frame per view, each under its own vid');
  t.ok(await b.client.silentFor(QUIET_MS), 'b: nothing twice');
  // b's views are new and still show "-": their diffs differ from a's and c's, so they render
  // on their own; a and c are every other socket on vid 1's topic — one publish from b's socket.
  t.equal(counters(s).framesPublished - published, 2, 'a and c in one publish; b\'s own frames sent on their own');

  // A socket closes; its views leave. The others still get every frame, and the same session on a
  // new socket gets each frame once.
  await a.client.close();
  await publisher.event(1, 'post', { value: '3', n: 3 });
  await exactlyOnce(t, c.client, [2, 'd', 1, shown('3')], 'c after a closed');
  const bAfter = [await b.client.next(), await b.client.next()].sort((x, y) => Number(x[2]) - Number(y[2]));
  t.same(bAfter, [[2, 'd', 1, shown('3')], [2, 'd', 2, shown('3')]], 'b after a closed');
  const back = await joined(t, s, '/board', { cookie: a.page.cookie });
  await publisher.event(1, 'post', { value: '4', n: 4 });
  await exactlyOnce(t, back.client, [2, 'd', 1, shown('4')], 'a on its new socket');
  await exactlyOnce(t, c.client, [2, 'd', 1, shown('4')], 'c');
});

t.test('a socket of one tenant never gets another tenant\'s publish, for the same topic and vid', async (t) => {
  const fixture = await pgliteFactory();
  t.teardown(() => fixture.cleanup());
  await seedTestData(fixture.db);
  const s = await startServer({ routes: broadcastRoutes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' } });
  t.teardown(() => s.close());
  const acme = { host: `acme.localhost:${s.port}` };
  const globex = { host: `globex.localhost:${s.port}` };
  const acmeBoards = await Promise.all([0, 1, 2].map(() => joined(t, s, '/board', acme)));
  const globexBoards = await Promise.all([0, 1, 2].map(() => joined(t, s, '/board', globex)));
  const acmePublisher = (await joined(t, s, '/publisher', acme)).client;
  const globexPublisher = (await joined(t, s, '/publisher', globex)).client;

  const published = counters(s).framesPublished;
  await acmePublisher.event(1, 'post', { value: '7', n: 7 });
  for (const [i, { client }] of acmeBoards.entries()) await exactlyOnce(t, client, [2, 'd', 1, shown('7')], `acme board ${i}`);
  for (const [i, { client }] of globexBoards.entries()) t.ok(await client.silentFor(QUIET_MS), `globex board ${i} got nothing`);
  t.equal(counters(s).framesPublished - published, 3, 'acme\'s three, published');

  await globexPublisher.event(1, 'post', { value: '8', n: 8 });
  for (const [i, { client }] of globexBoards.entries()) await exactlyOnce(t, client, [2, 'd', 1, shown('8')], `globex board ${i}: its own tenant's post`);
  for (const [i, { client }] of acmeBoards.entries()) t.ok(await client.silentFor(QUIET_MS), `acme board ${i} got nothing`);
});
