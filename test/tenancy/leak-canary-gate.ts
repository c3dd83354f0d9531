/**
 * Leak canary, at the gate: who a page or a socket upgrade is served as. Spoofed headers, paths
 * and JWTs, unknown, suspended and unpaid tenants, the default tenant, and the directory cache.
 * Each refusal comes with a control showing the same request succeeds for someone entitled to
 * it, so a refusal for the wrong reason does not pass.
 */
import { SignJWT } from 'jose';
import type { Test } from 'tap';
import { tryUpgrade } from './fixtures/canary/client.ts';
import {
  ACME_PROJECTS, boardNames, GLOBEX_PROJECTS, JWT_SECRET, openView, refused, replied, textOf, type Attack, type CanaryContext,
} from './leak-canary-context.ts';

const SPOOF = { 'x-tenant-id': 'globex' };

/** A page that was refused: the status and code, and no view in it. */
function expectRefusedPage(t: Test, page: { status: number; body: string; token: string }, status: number, code: string, what: string): void {
  t.same({ status: page.status, code: page.body.includes(code) }, { status, code: true }, `${what}: ${status} ${code}`);
  t.equal(page.token, '', `${what}: no view served`);
}

async function signJwt(claims: Record<string, unknown>, secret = JWT_SECRET, expires: string | number = '5m'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expires).sign(new TextEncoder().encode(secret));
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Which tenant a page was served as, by its own heading. */
const servedAs = (body: string) => textOf(body, 'tenant');

const TENANT_NAMES: Record<string, string> = { acme: 'Acme Corp', globex: 'Globex', public: 'Public Board' };

/** The page is `tenant`'s board: its name, and every one of its seeded projects. */
function expectBoardOf(t: Test, body: string, tenant: 'acme' | 'globex', what: string): void {
  t.equal(servedAs(body), TENANT_NAMES[tenant], `${what}: served as ${tenant}`);
  const names = boardNames(body);
  const own = tenant === 'acme' ? ACME_PROJECTS : GLOBEX_PROJECTS;
  const other = tenant === 'acme' ? GLOBEX_PROJECTS : ACME_PROJECTS;
  t.same(own.filter((name) => !names.includes(name)), [], `${what}: all its projects`);
  t.same(other.filter((name) => names.includes(name)), [], `${what}: none of the other's`);
}

export const GATE_ATTACKS: Attack[] = [
  {
    name: 'a spoofed tenant header from a signed-in non-member gets 403 and no socket',
    async run(t, ctx) {
      const wile = await ctx.signIn({ userId: 'wile', boundTenant: 'acme' });
      expectRefusedPage(t, await ctx.page('/board', 'acme', { cookie: wile, headers: SPOOF }), 403, 'LV_TENANT_FORBIDDEN', 'page');
      t.same(await tryUpgrade(ctx.base, { cookie: wile, ...SPOOF }), { status: 403, code: 'LV_TENANT_FORBIDDEN' }, 'upgrade refused');
      const hank = await ctx.signIn({ userId: 'hank' });
      const member = await ctx.page('/board', 'globex', { cookie: hank, headers: SPOOF });
      t.equal(member.status, 200, 'control: a member naming globex by header');
      expectBoardOf(t, member.body, 'globex', 'control');
      t.equal((await tryUpgrade(ctx.base, { cookie: hank, ...SPOOF })).status, 101, "control: the member's upgrade");
    },
  },
  {
    name: 'a spoofed path by a non-member is 403, and a path naming another tenant than the subdomain is 403 for anyone',
    async run(t, ctx) {
      const wile = await ctx.signIn({ userId: 'wile' });
      expectRefusedPage(t, await ctx.page('/t/globex/board', 'acme', { cookie: wile }), 403, 'LV_TENANT_FORBIDDEN', 'wile at /t/globex');
      const hank = await ctx.signIn({ userId: 'hank' });
      for (const [host, path, who] of [['acme', '/t/globex/board', 'anonymous'], ['globex', '/t/acme/board', 'anonymous'], ['acme', '/t/globex/board', 'hank']] as const) {
        const page = await ctx.page(path, host, { host: ctx.host(host), cookie: who === 'hank' ? hank : undefined });
        expectRefusedPage(t, page, 403, 'LV_TENANT_FORBIDDEN', `${who} at ${host}.localhost${path}`);
      }
      const control = await ctx.page('/t/globex/board', 'globex', { cookie: hank });
      expectBoardOf(t, control.body, 'globex', 'control: hank at /t/globex');
      expectBoardOf(t, (await ctx.page('/t/acme/board', 'acme', { host: ctx.host('acme') })).body, 'acme', 'control: acme.localhost/t/acme');
    },
  },
  {
    name: 'a tenant header cannot redirect a subdomain request or its socket to another tenant',
    async run(t, ctx) {
      const hank = await ctx.signIn({ userId: 'hank' });
      const acme = await openView(t, ctx, 'acme', '/board', hank);
      const spoofed = await ctx.page('/board', 'acme', { host: ctx.host('acme'), cookie: hank, headers: SPOOF });
      expectBoardOf(t, spoofed.body, 'acme', 'acme.localhost with X-Tenant-ID: globex');
      const socket = await ctx.socket(t, 'acme', { cookie: hank, host: ctx.host('acme'), headers: SPOOF });
      replied(t, await socket.join(1, spoofed), "the socket takes acme's token");
      const globexPage = await ctx.page('/t/globex/board', 'globex', { cookie: hank });
      refused(t, await socket.join(2, globexPage), 'LV_TOKEN_INVALID', "and refuses globex's");
      t.equal(servedAs(acme.client.html(1)), 'Acme Corp');
    },
  },
  {
    name: 'an unknown tenant gets a 404 page and its socket upgrade is refused with LV_TENANT_UNKNOWN',
    async run(t, ctx) {
      expectRefusedPage(t, await ctx.page('/board', 'nope', { host: ctx.host('nope') }), 404, 'LV_TENANT_UNKNOWN', 'nope.localhost');
      expectRefusedPage(t, await ctx.page('/t/nope/board', 'nope'), 404, 'LV_TENANT_UNKNOWN', '/t/nope');
      t.same(await tryUpgrade(ctx.base, { host: ctx.host('nope') }), { status: 404, code: 'LV_TENANT_UNKNOWN' }, 'upgrade at nope.localhost');
      t.same(await tryUpgrade(ctx.base, { 'x-tenant-id': 'nope' }), { status: 404, code: 'LV_TENANT_UNKNOWN' }, 'upgrade naming nope by header');
    },
  },
  {
    name: 'a suspended tenant (403) and one past paidUntil (402) serve no page and no socket',
    async run(t, ctx) {
      for (const [tenant, status, code] of [['initech', 403, 'LV_TENANT_SUSPENDED'], ['umbrella', 402, 'LV_TENANT_PAYMENT_REQUIRED']] as const) {
        expectRefusedPage(t, await ctx.page('/board', tenant, { host: ctx.host(tenant) }), status, code, `${tenant}.localhost`);
        expectRefusedPage(t, await ctx.page(`/t/${tenant}/board`, tenant), status, code, `/t/${tenant}`);
        t.same(await tryUpgrade(ctx.base, { host: ctx.host(tenant) }), { status, code }, `upgrade at ${tenant}.localhost`);
        t.same(await tryUpgrade(ctx.base, { 'x-tenant-id': tenant }), { status, code }, `upgrade naming ${tenant} by header`);
      }
    },
  },
  {
    name: 'a forged, tampered, unsigned or expired JWT resolves no tenant (the default serves), and a valid one still needs membership',
    async run(t, ctx) {
      const valid = await signJwt({ tenant_id: 'globex', sub: 'hank' });
      const [header, , signature] = (await signJwt({ tenant_id: 'public', sub: 'hank' })).split('.');
      const forged: Record<string, string> = {
        'wrong secret': await signJwt({ tenant_id: 'globex', sub: 'hank' }, 'not-the-secret-not-the-secret-not-the-secret'),
        'payload swapped under a valid signature': `${header}.${b64({ tenant_id: 'globex', sub: 'hank', exp: Math.floor(Date.now() / 1000) + 300 })}.${signature}`,
        'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'globex', sub: 'hank', exp: Math.floor(Date.now() / 1000) + 300 })}.`,
        expired: await signJwt({ tenant_id: 'globex', sub: 'hank' }, JWT_SECRET, Math.floor(Date.now() / 1000) - 60),
        'no exp': await new SignJWT({ tenant_id: 'globex', sub: 'hank' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_SECRET)),
      };
      for (const [what, token] of Object.entries(forged)) {
        for (const [how, headers] of [['bearer', { authorization: `Bearer ${token}` }], ['cookie', { cookie: `lv_jwt=${token}` }]] as const) {
          const page = await ctx.page('/board', 'public', { headers });
          t.same({ status: page.status, tenant: servedAs(page.body) }, { status: 200, tenant: 'Public Board' }, `${what} (${how}): the default tenant, not globex`);
        }
      }
      const member = await ctx.page('/board', 'globex', { headers: { authorization: `Bearer ${valid}` } });
      expectBoardOf(t, member.body, 'globex', "control: a valid token for globex's member");
      const stranger = await ctx.page('/board', 'acme', { headers: { authorization: `Bearer ${await signJwt({ tenant_id: 'globex', sub: 'wile' })}` } });
      expectRefusedPage(t, stranger, 403, 'LV_TENANT_FORBIDDEN', "a valid token naming globex for wile, who isn't a member");
    },
  },
  {
    name: 'the tenant directory cache never answers for another tenant (acme, globex, acme… sequential and concurrent)',
    async run(t, ctx) {
      const order = ['acme', 'globex', 'acme', 'globex', 'globex', 'acme'] as const;
      for (const [i, tenant] of order.entries()) {
        expectBoardOf(t, (await ctx.page('/board', tenant, { host: ctx.host(tenant) })).body, tenant, `#${i} ${tenant}.localhost`);
      }
      const requests = Array.from({ length: 12 }, (_, i) => {
        const tenant = order[i % order.length];
        return i % 3 === 0 ? { tenant, path: `/t/${tenant}/board`, host: undefined } : { tenant, path: '/board', host: ctx.host(tenant) };
      });
      const pages = await Promise.all(requests.map((r) => ctx.page(r.path, r.tenant, { host: r.host })));
      for (const [i, page] of pages.entries()) expectBoardOf(t, page.body, requests[i].tenant, `concurrent #${i} ${requests[i].tenant}`);
      for (const tenant of order) {
        const { client } = await openView(t, ctx, tenant, '/board');
        t.equal(servedAs(client.html(1)), TENANT_NAMES[tenant], `a ${tenant} socket`);
        await client.close();
      }
    },
  },
  {
    name: "the default tenant never absorbs a request naming an unknown tenant (404, not the default's board)",
    async run(t, ctx: CanaryContext) {
      const apex = await ctx.page('/board', 'public');
      t.same({ status: apex.status, tenant: servedAs(apex.body) }, { status: 200, tenant: 'Public Board' }, 'control: the apex is the default tenant');
      const www = await ctx.page('/board', 'public', { host: ctx.host('www') });
      t.equal(servedAs(www.body), 'Public Board', 'control: an excluded subdomain is the default tenant');
      for (const [what, request, path] of [
        ['unknown subdomain', { host: ctx.host('nope') }, '/board'],
        ['unknown subdomain, upper case', { host: ctx.host('NOPE') }, '/board'],
        ['unknown path tenant', {}, '/t/nope/board'],
        ['unknown header tenant', { headers: { 'x-tenant-id': 'nope' } }, '/board'],
      ] as const) {
        const page = await ctx.page(path, 'nope', request);
        expectRefusedPage(t, page, 404, 'LV_TENANT_UNKNOWN', what);
        t.notOk(page.body.includes('Public Board'), `${what}: not the default's board`);
      }
      t.equal((await tryUpgrade(ctx.base, { host: ctx.host('nope') })).status, 404, 'no socket at an unknown subdomain either');
    },
  },
];
