/**
 * Golden wire frames: a scripted session whose every server frame is pinned byte for byte in
 * `golden/session.json` — join replies with statics and fingerprints, counter increments, a
 * no-op, keyed insert/remove/move/change, a patch and a navigate. Tokens and instance ids are
 * random and are replaced by "<token>" and "lv-<instance>".
 * A protocol change must change this file (regenerate with UPDATE_GOLDEN=1) together with
 * docs/protocol.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { routes } from '../live/fixtures/views.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';

const GOLDEN = new URL('./golden/session.json', import.meta.url);

const s = await startServer({ routes });
t.teardown(() => s.close());

const counter = await getPage(s.url, '/counter');
const list = await getPage(s.url, '/list', counter.cookie);
const client = await LiveClient.open(s.url, { cookie: counter.cookie });
t.teardown(() => client.close());

const script: Array<{ send: unknown[] }> = [
  { send: [2, 'j', 1, 1, counter.view, counter.token] },
  { send: [2, 'e', 2, 1, 'inc', {}] },
  { send: [2, 'e', 3, 1, 'inc', {}] },
  { send: [2, 'e', 4, 1, 'noop', {}] },
  { send: [2, 'e', 5, 1, 'dec', {}] },
  { send: [2, 'j', 6, 2, list.view, list.token] },
  { send: [2, 'e', 7, 2, 'insert', { at: 1, id: 4, name: 'Delta' }] },
  { send: [2, 'e', 8, 2, 'remove', { id: 2 }] },
  { send: [2, 'e', 9, 2, 'move', { id: 3, to: 0 }] },
  { send: [2, 'e', 10, 2, 'rename', { id: 4, name: 'Delta <2>' }] },
  { send: [2, 'h', 11] },
  { send: [2, 'l', 12, 2] },
  { send: [2, 'p', 13, 1, '/counter?from=golden'] },
  { send: [2, 'n', 14, 1, '/list'] },
];

const session: Array<{ sent: string; received: string }> = [];
for (const step of script) {
  const sent = JSON.stringify(step.send);
  client.sendRaw(sent);
  const frame = await client.next();
  const received = JSON.stringify(frame).replace(/"t":"[^"]+"/g, '"t":"<token>"').replace(/"id":"lv-[\w-]+"/g, '"id":"lv-<instance>"');
  session.push({ sent: sent.replace(/"[\w-]+\.[\w-]+\.[\w-]+"/g, '"<token>"'), received });
}

if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, JSON.stringify(session, null, 2) + '\n');
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as typeof session;

t.test('every frame matches the golden session', async (t) => {
  t.equal(session.length, golden.length);
  for (let i = 0; i < golden.length; i++) t.equal(session[i].received, golden[i].received, `← for ${golden[i].sent}`);
});

t.test('the frames the issue names are as small as promised', async (t) => {
  const increment = session[1].received;
  t.equal(increment, '[2,"r",2,1,{"0":"1"}]');
  t.ok(Buffer.byteLength(increment) <= 48, `counter increment: ${Buffer.byteLength(increment)} B ≤ 48 B`);
  t.equal(session[3].received, '[2,"r",4,1]', 'a no-op render sends no diff');
  const counterFp = (JSON.parse(session[0].received)[4] as { s: string }).s;
  t.match(session[5].received, '"p":', 'a new template\'s statics travel with its first join');
  t.notMatch(session[5].received, `"${counterFp}":`, 'statics the socket already has are not resent');
});
