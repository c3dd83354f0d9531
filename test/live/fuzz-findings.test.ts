/**
 * What the socket fuzzer (test/fuzz/socket-fuzz.ts) found, each as the attack it made.
 */
import t from 'tap';
import { startExampleApp } from '../browser/example-server.ts';
import { getPage, LiveClient } from './harness.ts';

t.test('an answer never echoes a vid that is not one: it says 0', async (t) => {
  const { routes } = await import('./fixtures/views.ts');
  const { startServer } = await import('./harness.ts');
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  // Before: [1,"x",1,-1,…], [1,"x",2,null,…] (1e400 is Infinity, which JSON writes as null), …
  for (const vid of ['-1', '1e400', '-1e400', '5e-324', '1.5', '-0', '9007199254740993']) {
    const ref = client.nextRef();
    client.sendRaw(`[1,"e",${ref},${vid},"inc",{}]`);
    const answer = await client.next();
    t.same(answer.slice(0, 5), [1, 'x', ref, 0, 'LV_VIEW_NOT_JOINED'], `vid ${vid}`);
  }
});

t.test('a NUL in an event payload is refused as bad input, before the handler meets PostgreSQL', async (t) => {
  const s = await startExampleApp();
  t.teardown(() => s.closeAll());
  const page = await getPage(s.url, '/projects');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r');

  // Before: the insert failed in the driver, LV_HANDLER_FAILED and an error logged with its stack.
  for (const payload of ['{"name":"x\\u0000y"}', '{"name":"\\u0000"}', '{"name":"ok","n\\u0000":1}', '{"name":["a",{"b":"\\u0000"}]}']) {
    const ref = client.nextRef();
    client.sendRaw(`[1,"e",${ref},1,"add",${payload}]`);
    const answer = await client.next();
    t.same(answer.slice(0, 5), [1, 'x', ref, 1, 'LV_EVENT_PAYLOAD_INVALID'], payload);
  }
  const deep = `${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}`;
  client.sendRaw(`[1,"e",${client.nextRef()},1,"add",{"name":${deep}}]`);
  t.equal((await client.next())[4], 'LV_EVENT_PAYLOAD_INVALID', 'nested 20,000 deep: looked for without recursion');

  const ok = await client.event(1, 'add', { name: 'a literal \\u0000 is fine' });
  t.equal(ok[1], 'r', 'a backslash-u text (no NUL) is stored as usual');
});
