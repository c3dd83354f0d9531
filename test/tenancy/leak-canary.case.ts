/**
 * The view-level leak canary: one contract suite, run against PGlite and PostgreSQL
 * (`leak-canary.pglite.test.ts`, `leak-canary.postgres.test.ts`). Where the data-layer canary
 * (test/data/leak-canary.case.ts) attacks the ORM, this one attacks through the real server:
 * pages, socket upgrades, join tokens, view handlers, ticks, timers, templates, state, sessions,
 * topics, save notifications, presence and logs. No attack filters by tenant itself; each victim
 * is checked through its own views. The last attack sweeps everything every client received and
 * every log line for another tenant's names.
 */
import t from 'tap';
import type { DatabaseFactory } from '../data/fixtures.ts';
import { seedCanary, startCanary, type Attack } from './leak-canary-context.ts';
import { GATE_ATTACKS } from './leak-canary-gate.ts';
import { PUBSUB_ATTACKS } from './leak-canary-pubsub.ts';
import { SOCKET_ATTACKS } from './leak-canary-socket.ts';
import { VIEW_ATTACKS } from './leak-canary-views.ts';

const SWEEP: Attack = {
  name: 'across every attack above, no page, frame or log line reached anyone but its own tenant',
  async run(t, ctx) {
    t.ok(ctx.received.length >= 100, `${ctx.received.length} pages and frames checked`);
    const foreign = (entitled: string | undefined) => [...ctx.secrets].filter(([owner]) => owner !== entitled);
    const leaks: string[] = [];
    for (const { tenant, text } of ctx.received) {
      for (const [owner, secrets] of foreign(tenant)) {
        for (const secret of secrets) if (text.includes(secret)) leaks.push(`${tenant} received ${owner}'s "${secret}": ${text.slice(0, 200)}`);
      }
    }
    t.same(leaks, [], 'pages and frames');
    const logLeaks: string[] = [];
    for (const line of ctx.rawLogs) {
      const { tenant } = JSON.parse(line) as { tenant?: string };
      for (const [owner, secrets] of foreign(tenant)) {
        for (const secret of secrets) if (line.includes(secret)) logLeaks.push(`a line for ${tenant ?? 'no tenant'} names ${owner}'s "${secret}"`);
      }
    }
    t.same(logLeaks, [], `${ctx.rawLogs.length} log lines`);
  },
};

export const ATTACKS: Attack[] = [...GATE_ATTACKS, ...SOCKET_ATTACKS, ...VIEW_ATTACKS, ...PUBSUB_ATTACKS, SWEEP];

/** Runs every attack, in order, against one seeded database from `factory` and one server. */
export function leakCanary(factory: DatabaseFactory): void {
  t.test('view-level leak canary', async (t) => {
    const fixture = await factory();
    let close = fixture.cleanup;
    t.teardown(() => close());
    await seedCanary(fixture.db);
    const ctx = await startCanary(fixture.db);
    close = async () => {
      await ctx.close();
      await fixture.cleanup();
    };
    const names = ATTACKS.map((a) => a.name);
    t.ok(names.length >= 20, `${names.length} attacks`);
    t.equal(new Set(names).size, names.length, 'attack names are unique');
    for (const attack of ATTACKS) await t.test(attack.name, (t) => attack.run(t, ctx));
  });
}
