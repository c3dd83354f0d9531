/**
 * Two deployments on one Redis (hardening issue #9). Db numbers separate keys but not pub/sub:
 * with the same namespace on db 5 and db 6 a broadcast of one reaches the other — the attack —
 * and the newcomer warns livery.C047 at startup. Each with its own LIVERY_REDIS_PREFIX, nothing
 * crosses: no broadcast, no key, no channel, and no warning.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { LiveryRedis } from '../../server/redis/index.ts';
import { getPage, LiveClient, startServer, type Frame } from '../live/harness.ts';
import { startOwnRedis, waitFor } from './own-redis.ts';

class Radio extends LiveView<{ heard: string[] }> {
  static template = 'radio.html';
  static events = { shout: z.object({ text: z.string() }) };
  mount() {
    return { heard: [] as string[] };
  }
  async onJoin() {
    await this.subscribe('news');
    await this.track('listeners'); // presence keys and channel too
  }
  async shout({ text }: { text: string }) {
    await this.broadcast('news', text);
  }
  handleInfo(message: unknown) {
    this.state.heard.push(String(message));
  }
}

const redis = await startOwnRedis(t);

async function deploy(name: string, db: number, redisPrefix?: string) {
  const logs: string[] = [];
  const server = await startServer({
    routes: [route('/radio', Radio)],
    templatesDir: fileURLToPath(new URL('./fixtures/', import.meta.url)),
    state: { backend: 'redis' },
    pubsub: 'redis',
    redisUrl: `${redis.url}/${db}`,
    redisPrefix,
    secret: `${name}-deployment-secret-`.padEnd(40, 'x'), // another deployment: another secret
    logLevel: 'warn',
    logStream: { write: (line) => void logs.push(line) },
  });
  t.teardown(() => server.close());
  return { ...server, logs };
}

async function radio(base: string) {
  const page = await getPage(base, '/radio');
  const client = await LiveClient.open(base, { cookie: page.cookie });
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);
  return client;
}

/** Frames until one mentions `text`; fails (a hang bound, not a timing assertion) if none does. */
async function hears(client: LiveClient, text: string): Promise<void> {
  for (;;) {
    const frame: Frame = await client.next();
    if (JSON.stringify(frame).includes(text)) return;
  }
}

/** Every frame the client holds or receives until its own shout comes back. */
async function framesUntilOwnShout(client: LiveClient, text: string): Promise<string> {
  const seen: Frame[] = [...client.frames.splice(0)];
  client.send([2, 'e', client.nextRef(), 1, 'shout', { text }]);
  for (;;) {
    const frame = await client.next();
    seen.push(frame);
    if (JSON.stringify(frame).includes(text) && frame[1] === 'd') return JSON.stringify(seen);
  }
}

t.test('the same namespace on two db numbers: broadcasts cross, and the second deployment warns livery.C047', async (t) => {
  const a = await deploy('a', 5);
  const b = await deploy('b', 6);
  const [onA, onB] = [await radio(a.url), await radio(b.url)];
  onA.send([2, 'e', onA.nextRef(), 1, 'shout', { text: 'from deployment a' }]);
  await hears(onB, 'from deployment a');
  t.pass('the attack: a broadcast of deployment a reached deployment b on another db number');
  const warning = b.logs.find((line) => line.includes('livery.C047'));
  t.ok(warning, 'b warned at startup');
  t.match(JSON.parse(warning!), { level: 40, check: 'livery.C047', prefix: 'lv', other: { db: 5 } }, 'naming the namespace and the other db');
  t.match(JSON.parse(warning!).msg, /another deployment \([0-9a-f]{16}\) uses the Redis namespace "lv" from db 5; this one \([0-9a-f]{16}\) uses it from db 6[^]*hint: .*LIVERY_REDIS_PREFIX/);
});

t.test('own namespaces on db 7 and db 8: no broadcast, key or channel crosses, and nobody warns', async (t) => {
  const one = await deploy('one', 7, 'app-one');
  const two = await deploy('two', 8, 'app-two');
  const [oneA, oneB, twoA] = [await radio(one.url), await radio(one.url), await radio(two.url)];
  oneA.send([2, 'e', oneA.nextRef(), 1, 'shout', { text: 'secret of one' }]);
  await hears(oneB, 'secret of one');
  t.pass('control: the broadcast reached the same deployment\'s other tab');
  // Two's tab shouts after one's broadcast was published: anything of one's would come first.
  t.notMatch(await framesUntilOwnShout(twoA, 'news of two'), 'secret of one', 'deployment two heard nothing of one');

  const inspect = new LiveryRedis(redis.url, { name: 'inspect' });
  t.teardown(() => inspect.close());
  const keysOf = async (db: number) => {
    await inspect.select(db);
    return (await inspect.keys('*')).sort();
  };
  const db7 = await keysOf(7);
  const db8 = await keysOf(8);
  t.ok(db7.some((key) => key.includes(':presence:')), 'presence keys among them');
  t.ok(db7.length > 0 && db7.every((key) => key.startsWith('app-one:')), `db 7 holds only app-one's keys: ${db7.join(' ')}`);
  t.ok(db8.length > 0 && db8.every((key) => key.startsWith('app-two:')), `db 8 holds only app-two's keys: ${db8.join(' ')}`);
  const db0 = await keysOf(0);
  t.ok(db0.includes('app-one:deployments') && db0.includes('app-two:deployments'), 'the namespace registries live in db 0');
  const channels = (await inspect.pubsub('CHANNELS', '*')) as string[];
  t.ok(channels.some((c) => c.startsWith('app-one:')) && channels.some((c) => c.startsWith('app-two:')), 'each deployment subscribed in its namespace');
  t.same(channels.filter((c) => !/^(app-one|app-two|lv):/.test(c)), [], 'every channel is in a namespace');
  t.same([...one.logs, ...two.logs].filter((line) => line.includes('livery.C047')), [], 'no collision warning');
});

t.test('a malformed prefix is a startup error (livery.C048)', async (t) => {
  await t.rejects(deploy('bad', 9, 'a:{b}'), /livery\.C048: redisPrefix \(LIVERY_REDIS_PREFIX\) "a:\{b\}" is not/);
});
