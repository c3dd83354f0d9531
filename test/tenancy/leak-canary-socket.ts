/**
 * Leak canary, on the socket: join tokens carried to another tenant's socket, edited, or minted
 * before the session changed hands; the tenant switching mid-socket; sessions presented under
 * another tenant; and where view state is kept.
 */
import { randomUUID } from 'node:crypto';
import { LiveClient } from '../live/harness.ts';
import { until } from './fixtures/canary/client.ts';
import { GLOBEX_IDS, openView, refused, replied, textOf, type Attack } from './leak-canary-context.ts';
import { WRITES } from './fixtures/canary/recording-state-backend.ts';

/** A join token with its payload edited (the signature left as it was). */
function retarget(token: string, tenant: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, t: tenant })).toString('base64url')}.${signature}`;
}

const STATE_KEY = /^lv:\{([a-z0-9][a-z0-9-]*)\}:view:[A-Za-z0-9_-]+$/;

export const SOCKET_ATTACKS: Attack[] = [
  {
    name: "a join token from acme's page (and the fresh one its join returned) is refused on a globex socket",
    async run(t, ctx) {
      const page = await ctx.page('/board', 'acme', { host: ctx.host('acme') });
      // Same browser session on both hosts: the token's only fault is its tenant.
      const globex = await ctx.socket(t, 'globex', { cookie: page.cookie, host: ctx.host('globex') });
      const replay = await globex.join(1, page);
      refused(t, replay, 'LV_TOKEN_INVALID', 'replayed on globex');
      t.match(String(replay[5]), /another tenant/, 'refused for its tenant');
      t.equal(globex.html(1), '', 'nothing rendered');
      const acme = await ctx.socket(t, 'acme', { cookie: page.cookie, host: ctx.host('acme') });
      const joined = await acme.join(1, page);
      replied(t, joined, 'control: the token joins on its own tenant');
      const fresh = (joined[4] as { t: string }).t;
      refused(t, await globex.join(2, { view: page.view, token: fresh }), 'LV_TOKEN_INVALID', 'the fresh token replayed on globex');
    },
  },
  {
    name: 'a join token edited to name another tenant is refused, on a bound socket and on an unbound (path) one',
    async run(t, ctx) {
      const page = await ctx.page('/board', 'acme', { host: ctx.host('acme') });
      const edited = { view: page.view, token: retarget(page.token, 'globex') };
      const bound = await ctx.socket(t, 'globex', { cookie: page.cookie, host: ctx.host('globex') });
      refused(t, await bound.join(1, edited), 'LV_TOKEN_INVALID', 'on a globex socket');
      const unbound = await ctx.socket(t, 'globex', { cookie: page.cookie });
      refused(t, await unbound.join(1, edited), 'LV_TOKEN_INVALID', 'on a socket waiting for its first token');
    },
  },
  {
    name: 'the tenant never switches mid-socket: after an acme join, a globex token on the same socket is refused',
    async run(t, ctx) {
      const acmePage = await ctx.page('/t/acme/board', 'acme');
      const globexPage = await ctx.page('/t/globex/board', 'globex', { cookie: acmePage.cookie });
      const socket = await ctx.socket(t, 'acme', { cookie: acmePage.cookie });
      replied(t, await socket.join(1, acmePage), 'the first token binds acme');
      const second = await socket.join(2, globexPage);
      refused(t, second, 'LV_TOKEN_INVALID', 'a globex token next');
      t.match(String(second[5]), /another tenant/);
      replied(t, await socket.event(1, 'open', { id: GLOBEX_IDS[0] }), 'the acme view still works');
      t.equal(textOf(socket.html(1), 'message'), `not found: ${GLOBEX_IDS[0]}`, 'and still reads acme');
      // The other way round on a fresh socket: globex first, then acme refused.
      const reverse = await ctx.socket(t, 'globex', { cookie: acmePage.cookie });
      const globexAgain = await ctx.page('/t/globex/board', 'globex', { cookie: acmePage.cookie });
      const acmeAgain = await ctx.page('/t/acme/board', 'acme', { cookie: acmePage.cookie });
      replied(t, await reverse.join(1, globexAgain), 'globex first');
      refused(t, await reverse.join(2, acmeAgain), 'LV_TOKEN_INVALID', 'then acme');
    },
  },
  {
    name: 'two joins racing for different tenants on a fresh socket: exactly one binds it',
    async run(t, ctx) {
      for (let round = 0; round < 3; round++) {
        const acme = await ctx.page('/t/acme/evil', 'acme');
        const globex = await ctx.page('/t/globex/evil', 'globex', { cookie: acme.cookie });
        // A raw client: which tenant it is entitled to is only known once the race is decided.
        const client = await LiveClient.open(ctx.base, { cookie: acme.cookie });
        client.send([2, 'j', 1, 1, acme.view, acme.token]);
        client.send([2, 'j', 2, 2, globex.view, globex.token]);
        const frames = [await client.next(), await client.next()];
        await client.close();
        const won = frames.filter((f) => f[1] === 'r');
        const lost = frames.filter((f) => f[1] === 'x');
        t.same([won.length, lost.map((f) => f[4])], [1, ['LV_TOKEN_INVALID']], `round ${round}: one join won, the other was refused`);
        const winner = won[0]?.[3] === 1 ? 'Acme Corp' : 'Globex';
        const loser = winner === 'Acme Corp' ? 'Globex' : 'Acme Corp';
        t.notOk(JSON.stringify(frames).includes(loser), `round ${round}: nothing of ${loser} on a ${winner} socket`);
      }
    },
  },
  {
    name: 'a token minted while anonymous is refused at join once the session belongs to a non-member',
    async run(t, ctx) {
      const page = await ctx.page('/t/globex/board', 'globex');
      await ctx.signIn({ userId: 'wile' }, page.cookie);
      const socket = await ctx.socket(t, 'acme', { cookie: page.cookie });
      refused(t, await socket.join(1, page), 'LV_TENANT_FORBIDDEN', "wile joining globex's view");
      t.equal(socket.html(1), '', 'nothing rendered');
      const control = await ctx.page('/t/globex/board', 'globex');
      await ctx.signIn({ userId: 'hank' }, control.cookie);
      const member = await ctx.socket(t, 'globex', { cookie: control.cookie });
      replied(t, await member.join(1, control), 'control: a member joins');
    },
  },
  {
    name: "a session bound to acme yields no user and no session data under globex (subdomain, path and socket)",
    async run(t, ctx) {
      const note = `Acme Private Note ${randomUUID().slice(0, 8)}`;
      ctx.own('acme', note);
      const hank = await ctx.signIn({ userId: 'hank', boundTenant: 'acme', note });
      const home = await ctx.page('/board', 'acme', { host: ctx.host('acme'), cookie: hank });
      t.same([textOf(home.body, 'who'), textOf(home.body, 'note')], ['hank', note], 'control: at home the session is hank');
      const bySubdomain = await openView(t, ctx, 'globex', '/board', hank);
      const byPath = await ctx.page('/t/globex/board', 'globex', { cookie: hank });
      for (const [what, html] of [['globex.localhost', bySubdomain.page.body], ['its socket', bySubdomain.client.html(1)], ['/t/globex', byPath.body]]) {
        t.same([textOf(html, 'tenant'), textOf(html, 'who'), textOf(html, 'note')], ['Globex', 'anonymous', ''], `${what}: no user, no data`);
      }
      const wile = await ctx.signIn({ userId: 'wile', boundTenant: 'acme' });
      t.equal((await ctx.page('/board', 'acme', { host: ctx.host('globex'), cookie: wile })).status, 403, "a non-member's acme session on globex: 403");
    },
  },
  {
    name: "view state lives under lv:{tenant}: keys, and a globex browser's whole life touches none of acme's",
    async run(t, ctx) {
      const acme = await openView(t, ctx, 'acme', '/board');
      const key = `lv:{acme}:view:${acme.page.instance}`;
      t.ok(ctx.state.written.has(key), `the page saved its state under ${key}`);
      replied(t, await acme.client.event(1, 'open', { id: 'rocket-skates' }), 'acme reads');
      const closing = ctx.state.ops.length;
      await acme.client.close();
      await until(() => ctx.state.ops.slice(closing).some((op) => WRITES.has(op.op) && op.key === key), 'the state saved on close');
      t.match(ctx.state.written.get(key), /Rocket Skates/, 'what was saved is acme state');

      const mark = ctx.state.ops.length;
      const globex = await openView(t, ctx, 'globex', '/board');
      replied(t, await globex.client.event(1, 'open', { id: 'rocket-skates' }), 'globex asks for an acme id');
      refused(t, await globex.client.join(2, acme.page), 'LV_TOKEN_INVALID', "globex presents acme's token");
      await globex.client.close();
      const globexKey = `lv:{globex}:view:${globex.page.instance}`;
      await until(() => ctx.state.ops.slice(mark).filter((op) => WRITES.has(op.op) && op.key === globexKey).length >= 2, 'globex saved on close');
      const touched = [...new Set(ctx.state.ops.slice(mark).map((op) => op.key))];
      t.same(touched.filter((k) => !k.startsWith('lv:{globex}:')), [], `globex touched only its own keys (${touched.length})`);

      for (const [written, value] of ctx.state.written) {
        const tenant = STATE_KEY.exec(written)?.[1];
        t.ok(tenant, `${written} is a tenant state key`);
        const foreign = [...ctx.secrets].filter(([owner]) => owner !== tenant).flatMap(([, secrets]) => [...secrets]).filter((s) => value.includes(s));
        t.same(foreign, [], `${written} holds nothing of another tenant`);
      }
    },
  },
];
