/**
 * Leak canary, across views: topics, pushToView, notify-on-save and presence. Each delivery is
 * checked on a same-tenant listener first (the control), then the other tenant's listener is
 * shown to have received nothing: it answers an event queued after the delivery would have been
 * (the memory pub/sub delivers inside `publish`, and a view's mailbox runs in order).
 */
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { until, type CanaryClient } from './fixtures/canary/client.ts';
import { openView, refused, replied, textOf, type Attack } from './leak-canary-context.ts';

/** What a radio has heard, in order. */
const heard = (client: CanaryClient) => [...client.html(1).matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);

/** A round trip through the view's mailbox: anything delivered before it has been rendered after it. */
async function settle(t: Test, client: CanaryClient): Promise<void> {
  replied(t, await client.event(1, 'tune', { topic: 'settle' }), 'a round trip through the mailbox');
}

const list = (client: CanaryClient, id: string) => (textOf(client.html(1), id) ?? '').split(', ').filter((x) => x !== '');

export const PUBSUB_ATTACKS: Attack[] = [
  {
    name: "a broadcast, a pushToView or a client-chosen topic from acme never reaches globex's listeners",
    async run(t, ctx) {
      const [acme, acmeEar, globex] = await Promise.all([
        openView(t, ctx, 'acme', '/radio'), openView(t, ctx, 'acme', '/radio'), openView(t, ctx, 'globex', '/radio'),
      ]);
      ctx.own('acme', 'Acme Radio Secret');
      ctx.own('acme', 'Acme Push Secret');
      ctx.own('globex', 'Globex Radio Secret');
      replied(t, await acme.client.event(1, 'shout', { topic: 'news', text: 'Acme Radio Secret' }), 'acme broadcasts on news');
      replied(t, await acme.client.event(1, 'push', { text: 'Acme Push Secret' }), 'acme pushes to every RadioView');
      await until(() => heard(acmeEar.client).length === 2, "acme's other radio hears both");
      t.same(heard(acmeEar.client), ['Acme Radio Secret', 'Acme Push Secret'], 'control: same tenant, delivered in order');
      for (const topic of ['{globex}', '~save:Note', '~view:RadioView', 'lv:{globex}:topic:news']) {
        refused(t, await acme.client.event(1, 'tune', { topic }), 'LV_TOPIC_INVALID', `acme tunes to ${JSON.stringify(topic)}`);
      }
      // A NUL never reaches a handler: the socket refuses any payload holding one.
      refused(t, await acme.client.event(1, 'tune', { topic: 'news\u0000globex' }), 'LV_EVENT_PAYLOAD_INVALID', 'acme tunes to "news\\u0000globex"');
      replied(t, await acme.client.event(1, 'tune', { topic: 'lv:globex:topic:news' }), 'a look-alike topic is only a name inside acme');
      replied(t, await globex.client.event(1, 'shout', { topic: 'news', text: 'Globex Radio Secret' }), 'globex broadcasts on news');
      await settle(t, globex.client);
      await settle(t, acme.client);
      t.same(heard(globex.client), ['Globex Radio Secret'], 'globex heard only its own');
      t.same(heard(acme.client), ['Acme Radio Secret', 'Acme Push Secret'], 'acme heard nothing of globex');
    },
  },
  {
    name: "a save in acme re-renders only acme's watchers, and never hands globex an acme row id",
    async run(t, ctx) {
      const [watchA, remountA, watchG, remountG, boardA, boardG] = await Promise.all([
        openView(t, ctx, 'acme', '/watch'), openView(t, ctx, 'acme', '/remount'),
        openView(t, ctx, 'globex', '/watch'), openView(t, ctx, 'globex', '/remount'),
        openView(t, ctx, 'acme', '/board'), openView(t, ctx, 'globex', '/board'),
      ]);
      const acmeId = `watched-${randomUUID()}`;
      const globexId = `watched-${randomUUID()}`;
      ctx.own('acme', 'Acme Watched Crate');
      ctx.own('acme', acmeId);
      ctx.own('globex', 'Globex Watched Barrel');
      ctx.own('globex', globexId);
      replied(t, await boardA.client.event(1, 'create', { id: acmeId, name: 'Acme Watched Crate' }), 'acme saves a project');
      await until(() => list(watchA.client, 'names').includes('Acme Watched Crate') && list(remountA.client, 'names').includes('Acme Watched Crate'), 'acme watchers re-render');
      t.ok(list(watchA.client, 'saves').some((s) => s.includes(acmeId)), "control: acme's watcher was told the id");
      // Globex saves too; by the time its watchers show that, acme's earlier save would have arrived.
      replied(t, await boardG.client.event(1, 'create', { id: globexId, name: 'Globex Watched Barrel' }), 'globex saves a project');
      await until(() => list(watchG.client, 'names').includes('Globex Watched Barrel') && list(remountG.client, 'names').includes('Globex Watched Barrel'), 'globex watchers re-render');
      const told = list(watchG.client, 'saves');
      t.ok(told.length > 0 && told.every((s) => s.includes(globexId)), `globex was told only of its own save: ${told.join(' ')}`);
      for (const view of [watchG, remountG]) t.notOk(list(view.client, 'names').includes('Acme Watched Crate'), 'no acme project on a globex watcher');
    },
  },
  {
    name: "presence lists only the tenant's own visitors and never shows anyone a session id",
    async run(t, ctx) {
      const wile = await ctx.signIn({ userId: 'wile', boundTenant: 'acme' });
      const hankAtAcme = await ctx.signIn({ userId: 'hank', boundTenant: 'acme' });
      const acme = await openView(t, ctx, 'acme', '/room', wile);
      const visitor = await openView(t, ctx, 'globex', '/room', hankAtAcme);
      const globex = await openView(t, ctx, 'globex', '/room');
      await until(() => list(globex.client, 'keys').length === 2 && list(visitor.client, 'keys').length === 2, 'both globex visitors see each other');
      t.same(list(acme.client, 'labels'), ['wile at Acme Corp'], "control: acme's room has acme's visitor");
      for (const view of [visitor, globex]) {
        t.same(list(view.client, 'labels'), ['anonymous at Globex', 'anonymous at Globex'], "globex's room: two anonymous visitors, no wile");
      }
      const sessions = [wile, hankAtAcme, globex.page.cookie].map((cookie) => cookie.slice('lv_sid='.length));
      for (const view of [acme, visitor, globex]) {
        const shown = view.client.html(1);
        t.same(sessions.filter((sid) => shown.includes(sid)), [], 'no session id is shown to anyone');
      }
      // What a globex visitor could do with a key it was shown: present it as a cookie at acme.
      for (const key of list(globex.client, 'keys')) {
        const page = await ctx.page('/board', 'acme', { host: ctx.host('acme'), cookie: `lv_sid=${key}` });
        t.not(textOf(page.body, 'who'), 'hank', `the key ${key.slice(0, 8)}… signs nobody in at acme`);
      }
    },
  },
];
