/**
 * Broadcasts render once across processes (D65): two real Livery processes through a real (private)
 * Redis — boards on both, a post on one — every board gets every post exactly once, in order, and
 * each process renders once per post for all its boards.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { getPage, LiveClient } from '../live/harness.ts';
import { startOwnRedis } from '../redis/own-redis.ts';

interface Proc {
  child: ChildProcess;
  url: string;
  pubsub: string;
  renders(): Promise<number>;
}

async function start(redisUrl: string, topic: string): Promise<Proc> {
  // Neither tap's loaders nor its NODE_OPTIONS (its process info hooks the IPC channel): a plain Livery process.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('_TAPJS_')));
  const child = fork(new URL('./fixtures/broadcast-process.ts', import.meta.url), {
    execArgv: [],
    env: { ...env, LIVERY_PUBSUB: 'redis', LIVERY_STATE_BACKEND: 'memory', REDIS_URL: redisUrl, LIVERY_TEST_TOPIC: topic },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  });
  const [ready] = (await once(child, 'message')) as [{ type: string; url: string; pubsub: string }];
  const renders = async () => {
    child.send({ type: 'renders' });
    const [reply] = (await once(child, 'message')) as [{ renders: number }];
    return reply.renders;
  };
  return { child, url: ready.url, pubsub: ready.pubsub, renders };
}

async function board(base: string) {
  const page = await getPage(base, '/board');
  const client = await LiveClient.open(base, { cookie: page.cookie });
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token);
  t.equal(reply[1], 'r', 'joined');
  return client;
}

const redis = await startOwnRedis(t);
const topic = `board-${randomBytes(4).toString('hex')}`;
const [a, b] = await Promise.all([start(redis.url, topic), start(redis.url, topic)]);

t.test('posts on one process reach every board on both, once each, one render per post per process', async (t) => {
  t.same([a.pubsub, b.pubsub], ['redis', 'redis'], 'both processes use Redis pub/sub');
  const onA = await Promise.all(Array.from({ length: 3 }, () => board(a.url)));
  const onB = await Promise.all(Array.from({ length: 8 }, () => board(b.url)));
  const publisher = await getPage(a.url, '/publisher');
  const sender = await LiveClient.open(a.url, { cookie: publisher.cookie });
  t.teardown(() => sender.close());
  t.equal((await sender.join(1, publisher.view, publisher.token))[1], 'r');

  const before = { a: await a.renders(), b: await b.renders() };
  const posts = ['1', '2', '3', '4', '5', '6'];
  let ref = 1;
  for (const value of posts) t.same(await sender.event(1, 'post', { value, n: Number(value) }), [2, 'r', ++ref, 1]);
  // In order and once each: a repeated post would show up before a later one.
  for (const client of [...onA, ...onB]) {
    const got = [];
    for (let i = 0; i < posts.length; i++) got.push(await client.next());
    t.same(got, posts.map((value) => [2, 'd', 1, { 0: value, 1: { 0: value }, 2: value }]));
  }
  // Every board has seen the last post, so each process has rendered everything it will.
  t.equal((await a.renders()) - before.a, posts.length, 'process a: one render per post for its three boards');
  t.equal((await b.renders()) - before.b, posts.length, 'process b: one render per post for its eight boards');
});

t.test("a post is answered once delivered here and handed on, not when Redis acknowledges it", async (t) => {
  const poster = await board(a.url);
  const neighbour = await board(a.url);
  await redis.kill();
  // Redis is gone: the PUBLISH waits in the client's queue (then fails and is logged), but the
  // view's mailbox does not wait for it — the post is acknowledged, this process's boards have it.
  t.same(await poster.event(1, 'post', { value: '9', n: 9 }), [2, 'r', 2, 1]);
  t.same(await poster.next(), [2, 'd', 1, { 0: '9', 1: { 0: '9' }, 2: '9' }]);
  t.same(await neighbour.next(), [2, 'd', 1, { 0: '9', 1: { 0: '9' }, 2: '9' }]);
});

