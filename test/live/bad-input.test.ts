/**
 * Every bad input from the core issue: each gets a stable error code (error frame or close
 * code), the process stays up, other sockets never notice, and no state is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import t, { type Test } from 'tap';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

const SECRET = 'test-secret-test-secret-test-secret-0123';

t.test('bad input', async (t) => {
  const s = await startServer({ routes, socket: { maxFrameBytes: 1024 } });
  t.teardown(() => s.close());

  // A bystander: another session whose counter must keep working throughout.
  const other = await getPage(s.url, '/counter');
  const bystander = await LiveClient.open(s.url, { cookie: other.cookie });
  t.teardown(() => bystander.close());
  await bystander.join(1, other.view, other.token);
  let expected = 0;
  const bystanderStillServed = async (t: Tap) => {
    expected++;
    const reply = await bystander.event(1, 'inc');
    t.same(reply.slice(0, 2), [2, 'r'], 'the bystander socket is still served');
    t.same(reply[4], { 0: String(expected) }, 'with its state intact');
  };

  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);
  await client.event(1, 'inc');

  const expectError = async (t: Tap, code: string, send: () => void) => {
    send();
    const frame = await client.next();
    t.same([frame[0], frame[1], frame[4]], [2, 'x', code], `answered with ${code}`);
    t.type(frame[5], 'string');
    await bystanderStillServed(t);
  };

  t.test('malformed JSON', (t) => expectError(t, 'LV_FRAME_MALFORMED', () => client.sendRaw('{"not json')));
  t.test('not a frame array', (t) => expectError(t, 'LV_FRAME_MALFORMED', () => client.sendRaw('{"a":1}')));
  t.test('a ref that is not a positive integer', (t) => expectError(t, 'LV_FRAME_MALFORMED', () => client.send([2, 'e', 'x', 1, 'inc', {}])));
  t.test('unknown frame type', (t) => expectError(t, 'LV_FRAME_UNKNOWN_TYPE', () => client.send([2, 'zz', 9])));
  t.test('binary frame', (t) => expectError(t, 'LV_BINARY_FRAME', () => client.sendRaw(Buffer.from([1, 2, 3]), true)));
  t.test('event for a view that never joined', (t) => expectError(t, 'LV_VIEW_NOT_JOINED', () => client.send([2, 'e', 50, 7, 'inc', {}])));
  t.test('unknown event', (t) => expectError(t, 'LV_EVENT_UNKNOWN', () => client.send([2, 'e', 51, 1, 'mount', {}])));
  t.test('an undeclared method is not callable', (t) => expectError(t, 'LV_EVENT_UNKNOWN', () => client.send([2, 'e', 52, 1, 'constructor', {}])));
  t.test('payload of the wrong shape', (t) => expectError(t, 'LV_EVENT_PAYLOAD_INVALID', () => client.send([2, 'e', 53, 1, 'set', { value: 'seven' }])));
  t.test('payload that is not an object', (t) => expectError(t, 'LV_EVENT_PAYLOAD_INVALID', () => client.send([2, 'e', 54, 1, 'inc', 'x'])));
  t.test('forged token', (t) => expectError(t, 'LV_TOKEN_INVALID', () => client.send([2, 'j', 55, 2, page.view, page.token.slice(0, -4) + 'AAAA'])));
  t.test('garbage token', (t) => expectError(t, 'LV_TOKEN_INVALID', () => client.send([2, 'j', 56, 2, page.view, 42])));
  t.test('token signed with another secret', async (t) => {
    const foreign = await new SignJWT({ v: 'CounterView', i: 'x', p: {}, s: 'y', t: 'public' })
      .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-another-secret-another'));
    await expectError(t, 'LV_TOKEN_INVALID', () => client.send([2, 'j', 57, 2, 'CounterView', foreign]));
  });
  t.test('expired token', async (t) => {
    const expired = await new SignJWT({ v: 'CounterView', i: 'x', p: {}, s: page.cookie.split('=')[1], t: 'public' })
      .setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(new TextEncoder().encode(SECRET));
    await expectError(t, 'LV_TOKEN_EXPIRED', () => client.send([2, 'j', 58, 2, 'CounterView', expired]));
  });
  t.test('token for another view', async (t) => {
    const list = await getPage(s.url, '/list', page.cookie);
    await expectError(t, 'LV_TOKEN_VIEW_MISMATCH', () => client.send([2, 'j', 59, 2, 'CounterView', list.token]));
  });
  t.test('token issued to another session', (t) => expectError(t, 'LV_TOKEN_INVALID', () => client.send([2, 'j', 60, 2, other.view, other.token])));
  t.test('token naming a view this server does not serve', async (t) => {
    const unknown = await new SignJWT({ v: 'GhostView', i: 'x', p: {}, s: page.cookie.split('=')[1], t: 'public' })
      .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    await expectError(t, 'LV_VIEW_UNKNOWN', () => client.send([2, 'j', 61, 2, 'GhostView', unknown]));
  });
  t.test('joining a view id twice', (t) => expectError(t, 'LV_VIEW_ALREADY_JOINED', () => client.send([2, 'j', 62, 1, page.view, page.token])));

  t.test('a handler that throws: error reported, its changes undone, view and socket stay live', async (t) => {
    client.send([2, 'e', 70, 1, 'boom', {}]);
    const error = await client.next();
    t.same([error[1], error[2], error[4]], ['x', 70, 'LV_HANDLER_FAILED']);
    t.notMatch(String(error[5]), 'exploded', 'the exception text stays in the server log');
    const reply = await client.event(1, 'inc');
    t.same([reply[1], reply[4]], ['r', { 0: '2' }], 'no diff for the undone +100 came first; the view keeps working from 1');
    const second = await getPage(s.url, '/counter', page.cookie);
    await client.join(9, second.view, second.token);
    const sibling = await client.event(9, 'inc');
    t.same([sibling[1], sibling[3], sibling[4]], ['r', 9, { 0: '1' }], 'another view on the same socket is unaffected');
  });

  t.test('a protocol version mismatch closes with 4000', async (t) => {
    const p = await getPage(s.url, '/counter', page.cookie);
    const c = await LiveClient.open(s.url, { cookie: p.cookie });
    c.send([1, 'j', 1, 1, p.view, p.token]);
    const frame = await c.next();
    t.same([frame[1], frame[4]], ['x', 'LV_PROTOCOL_VERSION']);
    t.equal(await c.closed, 4000);
    await bystanderStillServed(t);
  });

  t.test('an oversized frame closes that socket with 1009 and loses no state', async (t) => {
    const p = await getPage(s.url, '/counter', page.cookie);
    const c = await LiveClient.open(s.url, { cookie: p.cookie });
    const j = await c.join(1, p.view, p.token);
    await c.event(1, 'inc');
    c.send([2, 'e', 99, 1, 'inc', { pad: 'x'.repeat(4000) }]);
    t.equal(await c.closed, 1009, 'closed: message too big');
    await sleep(50);
    const again = await LiveClient.open(s.url, { cookie: p.cookie });
    t.teardown(() => again.close());
    const rejoin = await again.join(1, p.view, (j[4] as { t: string }).t);
    t.equal((rejoin[4] as Record<string, unknown>)['0'], '1', 'state survived the close');
    await bystanderStillServed(t);
  });

  t.test('a foreign Origin is refused at upgrade', async (t) => {
    await t.rejects(LiveClient.open(s.url, { cookie: page.cookie, origin: 'https://evil.example' }), /upgrade refused: 403/);
    const same = await LiveClient.open(s.url, { cookie: page.cookie, origin: s.url });
    t.teardown(() => same.close());
    t.pass('the page\'s own origin is accepted');
  });
});

t.test('a flood of events from one socket is rate limited; other sockets are not', async (t) => {
  const s = await startServer({ routes, socket: { ratePerSecond: 5, rateBurst: 5 } });
  t.teardown(() => s.close());
  const open = async () => {
    const page = await getPage(s.url, '/counter');
    const client = await LiveClient.open(s.url, { cookie: page.cookie });
    await client.join(1, page.view, page.token);
    return client;
  };
  const flooder = await open();
  const calm = await open();
  t.teardown(() => Promise.all([flooder.close(), calm.close()]));
  for (let i = 0; i < 20; i++) flooder.send([2, 'e', 100 + i, 1, 'inc', {}]);
  const frames = [];
  for (let i = 0; i < 20; i++) frames.push(await flooder.next());
  const limited = frames.filter((f) => f[1] === 'x' && f[4] === 'LV_RATE_LIMITED').length;
  const served = frames.filter((f) => f[1] === 'r');
  // Burst 5, less the join's 2, plus what refilled since (at 5/s).
  t.ok(served.length >= 3 && served.length <= 5, `the burst was served (${served.length})`);
  t.equal(limited + served.length, 20, 'every other event was answered LV_RATE_LIMITED');
  t.same(served.at(-1)![4], { 0: String(served.length) }, 'dropped events changed nothing; served ones all counted');
  t.same((await calm.event(1, 'inc'))[4], { 0: '1' }, 'another socket is not limited by the flooder');
});

type Tap = Test;
