/**
 * Live component state survives the loss of its process (D80): with the Redis state backend
 * (write-through), a page's component counter and the parent's own counter are changed on one
 * Livery process, which is then SIGKILLed — no shutdown, no save at close. A second process
 * sharing the Redis takes the same page's socket (the client's reconnect) and shows both
 * counters as they were; both keep working there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { getPage, LiveClient } from './harness.ts';
import { startOwnRedis } from '../redis/own-redis.ts';

async function start(redisUrl: string): Promise<{ child: ChildProcess; url: string }> {
  // Neither tap's loaders nor its NODE_OPTIONS: a plain Livery process.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('_TAPJS_')));
  const child = fork(new URL('./fixtures/components-process.ts', import.meta.url), {
    execArgv: [],
    env: { ...env, LIVERY_STATE_BACKEND: 'redis', LIVERY_PUBSUB: 'memory', REDIS_URL: redisUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  });
  const [ready] = (await once(child, 'message')) as [{ url: string }];
  return { child, url: ready.url };
}

/** The slot values of a component's diff or node, as strings. */
const texts = (node: unknown): string[] => Object.entries(node as object).filter(([k]) => /^\d+$/.test(k)).map(([, v]) => String(v));

t.test('both counters survive a SIGKILL of the process', async (t) => {
  const redis = await startOwnRedis(t);
  const a = await start(redis.url);
  const page = await getPage(a.url, '/parent');
  const cid = Number(/lv-component="(\d+)"[^>]*id="counter-c1"/.exec(page.html)?.[1]);
  t.ok(cid > 0);
  const first = await LiveClient.open(a.url, { cookie: page.cookie });
  t.equal((await first.join(1, page.view, page.token))[1], 'r');
  for (let i = 0; i < 3; i++) {
    first.send([2, 'e', first.nextRef(), 1, 'inc', {}, cid]);
    t.equal((await first.next())[1], 'r');
  }
  t.equal((await first.event(1, 'inc'))[1], 'r');
  t.equal((await first.event(1, 'inc'))[1], 'r');
  // Each reply came after its state was stored (write-through): nothing is left to save at close.
  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  await exited;
  await first.closed;

  const b = await start(redis.url);
  const again = await LiveClient.open(b.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const join = await again.join(1, page.view, page.token);
  t.equal(join[1], 'r', 'the page\'s token joins on the new process');
  const root = join[4] as Record<string, any>;
  t.ok(texts(root.c[cid]).includes('8'), 'the component\'s counter: 5 + 3');
  t.equal(root[0], '2', 'the parent\'s counter (its first slot): 2');

  again.send([2, 'e', again.nextRef(), 1, 'inc', {}, cid]);
  const own = await again.next();
  t.same((own[4] as any).c, { [cid]: { [Object.keys((own[4] as any).c[cid])[0]]: '9' } }, 'the component keeps counting there');
  const parent = await again.event(1, 'inc');
  t.same(parent[4], { 0: '3' }, 'and so does the parent');
});
