/**
 * Leak canary, inside views: events that carry another tenant's ids or tenant, ticks, work that
 * outlives its handler, the identity map across events, template context, logs, and what a
 * tenant's socket receives while another tenant is busy. Victims are checked through their own
 * views, never by a query filtered by tenant.
 */
import { randomUUID } from 'node:crypto';
import { sessionTag } from '../../server/log/index.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';
import { until, type CanaryClient } from './fixtures/canary/client.ts';
import { CANARY_TEMPLATES, noDatabaseRoutes } from './fixtures/canary/views.ts';
import {
  ACME_PROJECTS, boardNames, GLOBEX_IDS, GLOBEX_PROJECTS, openView, refused, replied, textOf, type Attack, type CanaryContext,
} from './leak-canary-context.ts';

const VICTIM = GLOBEX_IDS[0];

/** The projects a tenant's own board shows right now (its own view, not a filtered query). */
async function ownBoard(ctx: CanaryContext, tenant: string): Promise<string[]> {
  return boardNames((await ctx.page('/board', tenant, { host: ctx.host(tenant) })).body);
}

/** The names in each tick line a view showed (`n|a, b`), join render excluded. */
function tickLines(client: CanaryClient): string[] {
  return (client.history.get(1) ?? []).map((html) => textOf(html, 'line') ?? '').filter((line) => line !== '').map((line) => line.slice(line.indexOf('|') + 1));
}

export const VIEW_ATTACKS: Attack[] = [
  {
    name: "another tenant's project id in an event (read, update, delete) is \"not found\", and the row is untouched in its own tenant's view",
    async run(t, ctx) {
      const acme = await openView(t, ctx, 'acme', '/board');
      for (const id of GLOBEX_IDS) {
        replied(t, await acme.client.event(1, 'open', { id }), `open ${id}`);
        t.equal(textOf(acme.client.html(1), 'message'), `not found: ${id}`);
      }
      replied(t, await acme.client.event(1, 'rename', { id: VICTIM, name: 'Pwned By Acme' }), 'rename');
      t.equal(textOf(acme.client.html(1), 'message'), `not found: ${VICTIM}`);
      replied(t, await acme.client.event(1, 'remove', { id: VICTIM }), 'remove');
      t.equal(textOf(acme.client.html(1), 'message'), `not found: ${VICTIM}`);

      const globex = await openView(t, ctx, 'globex', '/board');
      const names = boardNames(globex.page.body);
      for (const name of GLOBEX_PROJECTS) t.ok(names.includes(name), `globex's board still lists ${name}`);
      t.notOk(globex.page.body.includes('Pwned'), 'nothing was renamed');
      replied(t, await globex.client.event(1, 'open', { id: VICTIM }), 'globex opens its own row');
      t.equal(textOf(globex.client.html(1), 'message'), `open: ${GLOBEX_PROJECTS[0]}`, 'the id is real in its own tenant');
    },
  },
  {
    name: 'a create whose payload names another tenant is refused with LV_TENANT_MISMATCH and creates nothing anywhere',
    async run(t, ctx) {
      const acme = await openView(t, ctx, 'acme', '/board');
      for (const tenantId of ['globex', 'public', '']) {
        refused(t, await acme.client.event(1, 'create', { name: 'Smuggled Crate', tenantId }), 'LV_TENANT_MISMATCH', `create naming "${tenantId}"`);
      }
      for (const tenant of ['acme', 'globex', 'public']) {
        t.notOk((await ownBoard(ctx, tenant)).includes('Smuggled Crate'), `nothing created in ${tenant}`);
      }
      // The same path creates when the payload names the socket's own tenant: the refusal above is the check, not a broken view.
      ctx.own('acme', 'Acme Anvil Order');
      replied(t, await acme.client.event(1, 'create', { name: 'Acme Anvil Order', tenantId: 'acme' }), 'create naming acme');
      t.ok((await ownBoard(ctx, 'acme')).includes('Acme Anvil Order'), 'created in acme');
      t.notOk((await ownBoard(ctx, 'globex')).includes('Acme Anvil Order'), 'and only there');
    },
  },
  {
    name: 'no identity map outlives an event: a row renamed by another tab is read fresh, and a failed event\'s unflushed change never lands',
    async run(t, ctx) {
      const first = await openView(t, ctx, 'acme', '/board');
      const second = await openView(t, ctx, 'acme', '/board');
      const id = `probe-${randomUUID()}`;
      for (const name of ['Acme Identity Probe', 'Acme Identity Renamed', 'Acme Half Renamed', 'Acme Identity Second']) ctx.own('acme', name);
      replied(t, await first.client.event(1, 'create', { id, name: 'Acme Identity Probe' }), 'create');
      replied(t, await first.client.event(1, 'peek', { id }), 'first read');
      t.equal(textOf(first.client.html(1), 'message'), 'peek: Acme Identity Probe');
      replied(t, await second.client.event(1, 'rename', { id, name: 'Acme Identity Renamed' }), 'rename in the other tab');
      replied(t, await first.client.event(1, 'peek', { id }), 'second read, by primary key');
      t.equal(textOf(first.client.html(1), 'message'), 'peek: Acme Identity Renamed', 'read afresh, not from an earlier event');
      refused(t, await first.client.event(1, 'renameAndFail', { id, name: 'Acme Half Renamed' }), 'LV_HANDLER_FAILED', 'a change left unflushed');
      replied(t, await first.client.event(1, 'create', { name: 'Acme Identity Second' }), 'a later event that flushes');
      replied(t, await second.client.event(1, 'open', { id }), 'the other tab reads');
      t.equal(textOf(second.client.html(1), 'message'), 'open: Acme Identity Renamed', 'the failed event\'s change did not land');
    },
  },
  {
    name: 'raw SQL and a query builder without filters in a handler read and write only the socket\'s tenant',
    async run(t, ctx) {
      const acme = await openView(t, ctx, 'acme', '/board');
      const names = (await ownBoard(ctx, 'acme')).join(', ');
      replied(t, await acme.client.event(1, 'raw'), 'raw reads');
      t.equal(textOf(acme.client.html(1), 'message'), `raw: ${names} | qb: ${names}`, 'both see exactly the board');
      const before = await ownBoard(ctx, 'globex');
      await acme.client.event(1, 'rawWrite');
      t.same(await ownBoard(ctx, 'globex'), before, "globex's board is unchanged");
      t.same(await ownBoard(ctx, 'public'), [], "public's board is unchanged");
    },
  },
  {
    name: "a state key named `tenant` never replaces the socket's tenant in templates",
    async run(t, ctx) {
      const evil = await openView(t, ctx, 'acme', '/evil');
      t.equal(textOf(evil.page.body, 'layout-tenant'), 'Acme Corp', 'layout');
      const check = (html: string, when: string) => {
        t.equal(textOf(html, 'tenant'), 'Acme Corp', `${when}: tenant.name`);
        t.equal(textOf(html, 'tenant-id'), 'acme', `${when}: tenant.id`);
        t.equal(textOf(html, 'color'), '#d9480f', `${when}: tenant.settings`);
        t.same(['Forged', 'Poisoned', '#evil'].filter((mark) => html.includes(mark)), [], `${when}: nothing of the forged tenant`);
      };
      check(evil.page.body, 'first paint');
      check(evil.client.html(1), 'join');
      replied(t, await evil.client.event(1, 'poison'), 'poison');
      check(evil.client.html(1), 'after the state replaced `tenant`');
      t.equal(textOf(evil.client.html(1), 'n'), '1', 'the event did run');
    },
  },
  {
    name: "errors and logs from acme's socket, driven with globex ids, carry tenant acme and never another tenant's data",
    async run(t, ctx) {
      const cookie = await ctx.signIn({ userId: 'wile', boundTenant: 'acme' });
      const acme = await openView(t, ctx, 'acme', '/board', cookie);
      const from = ctx.rawLogs.length;
      for (const id of GLOBEX_IDS) {
        for (const event of ['open', 'remove']) replied(t, await acme.client.event(1, event, { id }), `${event} ${id}`);
        replied(t, await acme.client.event(1, 'rename', { id, name: 'Pwned' }), `rename ${id}`);
        refused(t, await acme.client.event(1, 'boom', { id }), 'LV_HANDLER_FAILED', `boom ${id}`);
      }
      refused(t, await acme.client.event(1, 'create', { name: 'Smuggled Again', tenantId: 'globex' }), 'LV_TENANT_MISMATCH', 'create naming globex');
      const lines = ctx.logs(from);
      t.ok(lines.length >= GLOBEX_IDS.length + 1, `${lines.length} lines logged for the failures`);
      for (const line of lines) {
        t.same({ tenant: line.tenant, session: line.session }, { tenant: 'acme', session: sessionTag(cookie.slice('lv_sid='.length)) }, `"${line.msg}" carries the socket's tenant and session (as its one-way tag)`);
      }
      const booms = lines.filter((line) => /boom on/.test(JSON.stringify(line.err)));
      t.equal(booms.length, GLOBEX_IDS.length, 'the handler failures are there');
      for (const line of booms) t.match(JSON.stringify(line.err), /no such project/, 'the handler found nothing under a globex id');
      const text = ctx.rawLogs.slice(from).join('');
      for (const name of [...GLOBEX_PROJECTS, 'Globex']) t.notOk(text.includes(name), `the log never names ${name}`);
    },
  },
  {
    name: "every tick reads only the view's tenant, also while the other tenant's data changes",
    async run(t, ctx) {
      const acmeNames = (await ownBoard(ctx, 'acme')).join(', ');
      const acme = (await openView(t, ctx, 'acme', '/tick')).client;
      const globex = (await openView(t, ctx, 'globex', '/tick')).client;
      const board = await openView(t, ctx, 'globex', '/board');
      await until(() => tickLines(acme).length >= 3 && tickLines(globex).length >= 3, 'three ticks each');
      ctx.own('globex', 'Globex Tick Decoy');
      replied(t, await board.client.event(1, 'create', { name: 'Globex Tick Decoy' }), 'globex adds a project mid-ticks');
      const globexNames = (await ownBoard(ctx, 'globex')).join(', ');
      await until(() => tickLines(globex).at(-1) === globexNames, 'globex ticks to see its new project');
      const seen = tickLines(acme).length;
      await until(() => tickLines(acme).length >= seen + 3, 'three more acme ticks');
      for (const line of tickLines(acme)) t.equal(line, acmeNames, 'an acme tick');
      const before = (await ownBoard(ctx, 'globex')).filter((name) => name !== 'Globex Tick Decoy').join(', ');
      for (const line of tickLines(globex)) t.ok(line === before || line === globexNames, `a globex tick: ${line}`);
    },
  },
  {
    name: 'work that outlives its handler (a timer, a message to itself) still reads only its own tenant',
    async run(t, ctx) {
      const expected = { acme: (await ownBoard(ctx, 'acme')).join(', '), globex: (await ownBoard(ctx, 'globex')).join(', ') };
      const views = { acme: await openView(t, ctx, 'acme', '/async'), globex: await openView(t, ctx, 'globex', '/async') };
      // Interleaved: each tenant's deferred reads run while the other's handlers are running.
      await Promise.all([views.acme.client.event(1, 'later'), views.globex.client.event(1, 'later'), views.acme.client.event(1, 'laterInfo'), views.globex.client.event(1, 'laterInfo')]);
      for (const [tenant, { client }] of Object.entries(views)) {
        await until(() => textOf(client.html(1), 'timer') !== '' && textOf(client.html(1), 'info') !== '', `${tenant}'s deferred reads`);
        t.equal(textOf(client.html(1), 'timer'), expected[tenant as 'acme'], `${tenant}: read on a timer`);
        t.equal(textOf(client.html(1), 'info'), expected[tenant as 'acme'], `${tenant}: read in handleInfo`);
      }
    },
  },
  {
    name: "a globex socket receives nothing of acme's rows while acme creates, renames, reads and deletes",
    async run(t, ctx) {
      const globexBoard = await openView(t, ctx, 'globex', '/board');
      const globexTicks = await openView(t, ctx, 'globex', '/tick');
      const acme = await openView(t, ctx, 'acme', '/board');
      const mark = ctx.received.length;
      const id = `beacon-${randomUUID()}`;
      for (const name of ['Acme Broadcast Beacon', 'Acme Beacon Renamed']) ctx.own('acme', name);
      replied(t, await acme.client.event(1, 'create', { id, name: 'Acme Broadcast Beacon' }), 'create');
      replied(t, await acme.client.event(1, 'rename', { id, name: 'Acme Beacon Renamed' }), 'rename');
      replied(t, await acme.client.event(1, 'open', { id }), 'read');
      replied(t, await acme.client.event(1, 'remove', { id }), 'delete');
      replied(t, await globexBoard.client.event(1, 'open', { id: VICTIM }), 'globex keeps working');
      const ticks = tickLines(globexTicks.client).length;
      await until(() => tickLines(globexTicks.client).length >= ticks + 2, 'globex ticks after acme was busy');
      const frames = ctx.received.slice(mark);
      t.ok(frames.some((r) => r.tenant === 'acme' && r.text.includes('Acme Broadcast Beacon')), 'acme saw its own activity');
      const acmeSecrets = [...ctx.secrets.get('acme')!];
      const globexFrames = frames.filter((r) => r.tenant === 'globex');
      t.ok(globexFrames.length >= 3, `${globexFrames.length} globex frames checked`);
      for (const r of globexFrames) {
        const leaked = acmeSecrets.filter((secret) => r.text.includes(secret));
        t.same(leaked, [], 'a globex frame');
      }
      t.same(boardNames(globexBoard.client.html(1)).filter((name) => ACME_PROJECTS.includes(name)), [], "globex's board shows no acme project");
    },
  },
  {
    name: 'a view on a server without a database refuses this.db with LV_DATA_UNAVAILABLE instead of reading anything',
    async run(t) {
      const server = await startServer({ routes: noDatabaseRoutes, templatesDir: CANARY_TEMPLATES });
      t.teardown(() => server.close());
      const page = await getPage(server.url, '/nodb');
      t.equal(page.status, 200, 'a view that does not touch the database in mount renders');
      const client = await LiveClient.open(server.url, { cookie: page.cookie });
      t.teardown(() => client.close());
      replied(t, await client.join(1, page.view, page.token), 'join');
      refused(t, await client.event(1, 'load'), 'LV_DATA_UNAVAILABLE', 'an event reading this.db');
      const mount = await getPage(server.url, '/nodb-mount');
      t.equal(mount.status, 500, 'a mount reading this.db fails the page');
      t.match(mount.html, 'LV_DATA_UNAVAILABLE');
      t.equal(mount.token, '', 'and serves no view');
    },
  },
];
