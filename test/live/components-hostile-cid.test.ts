/**
 * Hostile cids (D80's seventh member of an event frame, D85): whatever JSON a client puts there —
 * a string, a negative, a fraction, a huge number, an object, an array nested as deep as a frame
 * allows — is answered LV_COMPONENT_UNKNOWN under the frame's ref, and the socket goes on. A cid
 * nested 20,000 deep used to throw out of the socket's handler while the error's detail was
 * written (JSON.stringify recursing past the stack): the frame went unanswered.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { componentRoutes, components } from './fixtures/components.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

const s = await startServer({ routes: componentRoutes, components, templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)) });
t.teardown(() => s.close());

t.test('every cid the view does not show is LV_COMPONENT_UNKNOWN for its ref', async (t) => {
  const page = await getPage(s.url, '/parent');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r');
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const cids = ['"1"', '-1', '0', '1.5', '1e400', '9007199254740993', '{}', '{"toString":false}', '[1]', 'true', deep, deepObject];
  for (const cid of cids) {
    const ref = client.nextRef();
    client.sendRaw(`[2,"e",${ref},1,"inc",{},${cid}]`);
    const frame = await client.next();
    t.same([frame[1], frame[2], frame[4]], ['x', ref, 'LV_COMPONENT_UNKNOWN'], `cid ${cid.slice(0, 24)}`);
    t.ok(String(frame[5]).length < 400, 'its message stays short');
  }
  const still = await client.event(1, 'inc');
  t.equal(still[1], 'r', 'the view keeps working');
});
