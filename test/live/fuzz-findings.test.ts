/**
 * What the socket fuzzer (test/fuzz/socket-fuzz.ts) found, each as the attack it made.
 */
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

/**
 * Stands for any view that stores what it is sent: in the example app the projects board's `add`,
 * whose insert failed in PostgreSQL (which cannot store U+0000 in text or jsonb) — the handler
 * threw, the client got LV_HANDLER_FAILED and the server logged an error with its stack, once per
 * hostile frame. Here the handler throws when a NUL reaches it, as the insert did.
 */
class NoteView extends LiveView<{ n: string; still: number }> {
  static template = 'ticker.html';
  static events = { add: z.object({ name: z.string() }) };
  mount() { return { n: '', still: 1 }; }
  add({ name }: { name: string }) {
    if (name.includes('\u0000')) throw new Error('a NUL reached the handler (PostgreSQL: invalid byte sequence)');
    this.state.n = name;
  }
}

const s = await startServer({ routes: [...routes, route('/note', NoteView)] });
t.teardown(() => s.close());

t.test('an answer never echoes a vid that is not one: it says 0', async (t) => {
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  // Before: [2,"x",1,-1,…], [2,"x",2,null,…] (1e400 is Infinity, which JSON writes as null), …
  for (const vid of ['-1', '1e400', '-1e400', '5e-324', '1.5', '-0', '9007199254740993']) {
    const ref = client.nextRef();
    client.sendRaw(`[2,"e",${ref},${vid},"inc",{}]`);
    const answer = await client.next();
    t.same(answer.slice(0, 5), [2, 'x', ref, 0, 'LV_VIEW_NOT_JOINED'], `vid ${vid}`);
  }
});

t.test('a NUL in an event payload is refused as bad input, before the handler', async (t) => {
  const page = await getPage(s.url, '/note');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r');

  for (const payload of ['{"name":"x\\u0000y"}', '{"name":"\\u0000"}', '{"name":"ok","n\\u0000":1}']) {
    const ref = client.nextRef();
    client.sendRaw(`[2,"e",${ref},1,"add",${payload}]`);
    t.same((await client.next()).slice(0, 5), [2, 'x', ref, 1, 'LV_EVENT_PAYLOAD_INVALID'], payload);
  }
  const deep = `${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}`;
  client.sendRaw(`[2,"e",${client.nextRef()},1,"add",{"name":${deep}}]`);
  t.equal((await client.next())[4], 'LV_EVENT_PAYLOAD_INVALID', 'nested 20,000 deep: looked for without recursion');

  const ok = await client.event(1, 'add', { name: 'a literal \\u0000 is fine' });
  t.same([ok[1], ok[4]], ['r', { 0: 'a literal \\u0000 is fine' }], 'a backslash-u text (no NUL) goes through as usual');
});

t.test('the same for patch and navigate frames', async (t) => {
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  for (const type of ['p', 'n']) {
    for (const vid of ['-1', '1e400', '1.5']) {
      const ref = client.nextRef();
      client.sendRaw(`[2,"${type}",${ref},${vid},"/counter"]`);
      t.same((await client.next()).slice(0, 5), [2, 'x', ref, 0, 'LV_VIEW_NOT_JOINED'], `${type} with vid ${vid}`);
    }
  }
});

t.test('a join naming its view with an object whose toString is not a function is answered', async (t) => {
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  // Before: String(view) threw inside the frame handler; the join was never answered.
  for (const view of ['{"toString":false}', '[{"toString":true}]', '{"valueOf":1,"toString":null}']) {
    const ref = client.nextRef();
    client.sendRaw(`[2,"j",${ref},1,${view},${JSON.stringify(page.token)}]`);
    const answer = await client.next();
    t.same(answer.slice(0, 3), [2, 'x', ref], `view ${view}: answered`);
    t.equal(answer[4], 'LV_TOKEN_VIEW_MISMATCH', 'as a token for another view');
  }
  t.same((await client.join(1, page.view, page.token)).slice(0, 2), [2, 'r'], 'and the socket serves on');
});
