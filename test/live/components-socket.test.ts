/**
 * Live components on the wire (D80), frame by frame: a component's event is answered with its
 * own diff in the root `c` member and nothing of the parent's tree; a parent's render leaves an
 * unchanged component out; a removed component travels as `null`; an event naming a component
 * this view does not show (another view's, made up, not a number) is LV_COMPONENT_UNKNOWN, and
 * the socket and its other views keep working.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { componentRoutes, components } from './fixtures/components.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

const s = await startServer({ routes: componentRoutes, components, templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)) });
t.teardown(() => s.close());

const cidOf = (html: string, id: string): number => Number(new RegExp(`lv-component="(\\d+)"[^>]*id="counter-${id}"|id="counter-${id}"[^>]*lv-component="(\\d+)"`).exec(html)?.slice(1).find(Boolean));

t.test('frames', async (t) => {
  const page = await getPage(s.url, '/parent');
  const cid = cidOf(page.html, 'c1');
  t.ok(cid > 0, 'the page shows the component\'s cid');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const join = await client.join(1, page.view, page.token);
  const root = join[4] as Record<string, any>;
  t.ok(root.c?.[cid]?.s, 'the join reply carries the component\'s whole tree in c');
  t.equal(Object.values(root).filter((v) => v === cid).length, 1, 'and the parent\'s slot holds its cid');

  client.send([2, 'e', client.nextRef(), 1, 'inc', {}, cid]);
  const own = await client.next();
  t.same(Object.keys(own[4] as object), ['c'], 'a component event: only c');
  t.same(Object.keys((own[4] as any).c), [String(cid)]);
  t.ok(Object.values((own[4] as any).c[cid]).includes('6'));

  const parent = await client.event(1, 'inc');
  t.notOk('c' in (parent[4] as object), 'the parent\'s render sends nothing of the unchanged component');

  const toggled = await client.event(1, 'toggle');
  const added = Object.entries((toggled[4] as any).c ?? {});
  t.equal(added.length, 1, 'a new component arrives whole');
  const [second] = added[0];
  const gone = await client.event(1, 'toggle');
  t.same((gone[4] as any).c, { [second]: null }, 'a removed one travels as null');
  // Shown again (a new cid), then removed by an event the client sent just before its own.
  const back = (await client.event(1, 'toggle'))[4] as any;
  const third = Number(Object.keys(back.c)[0]);
  t.ok(third > Number(second), 'a component shown again gets a new cid');
  client.send([2, 'e', client.nextRef(), 1, 'toggle', {}]);
  client.send([2, 'e', client.nextRef(), 1, 'inc', {}, third]);
  t.equal((await client.next())[1], 'r', 'the removing event');
  t.equal((await client.next())[4], 'LV_COMPONENT_UNKNOWN', 'the late event for the removed component');

  // A second view on the socket, without components' ids of its own: the first's cid means nothing there.
  const other = await getPage(s.url, '/duplicate', page.cookie);
  await client.join(2, other.view, other.token);
  for (const bad of [cid + 1000, 'x', -1, null, Number(second)]) {
    client.send([2, 'e', client.nextRef(), 1, 'inc', {}, bad]);
    const frame = await client.next();
    t.same([frame[1], frame[4]], ['x', 'LV_COMPONENT_UNKNOWN'], `cid ${JSON.stringify(bad)}`);
  }
  // Component ids are per view: view 2 shows one component (cid 1); view 1's rows (cids after c1's) are not its.
  client.send([2, 'e', client.nextRef(), 2, 'star', {}, cid + 1]);
  t.equal((await client.next())[4], 'LV_COMPONENT_UNKNOWN', 'another view\'s component');
  client.send([2, 'e', client.nextRef(), 1, 'nope', {}, cid]);
  t.equal((await client.next())[4], 'LV_EVENT_UNKNOWN');
  const still = await client.event(1, 'inc');
  t.equal(still[1], 'r', 'the view keeps working');
  client.send([2, 'e', client.nextRef(), 1, 'inc', {}, cid]);
  t.equal((await client.next())[1], 'r', 'and so does its component');
});
