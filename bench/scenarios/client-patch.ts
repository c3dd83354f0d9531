/**
 * Scenario 10 — the browser's cost of a reply (issue 12, goal 1; D62). Headless Chromium loads the
 * real client against Livery's `client-patch` view, a keyed table of 100, 1,000 and 10,000 rows,
 * and sends `bump` events that each change one cell. The client's reply handling — merge, render,
 * patch — is timed with `performance.now()` around `View.reply` in the page (the page is made
 * cross-origin isolated, so the clock has 5 µs resolution, not 100 µs). The reference is the same
 * one-cell change done the naive way: a copy of the container on the same page whose `innerHTML`
 * is replaced with the whole new HTML. Goals: the patch at 10,000 rows costs at most twice the
 * patch at 100, and is at least 20 times faster than the innerHTML replacement.
 *
 * Two controls say where time that grows with the table goes (D72): the same patches with the
 * container hidden (`display: none`: the client does the same work, the browser lays out and
 * paints nothing), and the layout the browser does after one patch (forced by reading
 * `offsetHeight` right after the reply, outside the patch's time) — a cell change in a table with
 * automatic layout lays the whole table out again, which grows with the rows and runs between
 * replies, leaving the next reply's code and data cold.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { PEERS } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { errorRow, failedRow, judgeGoal, okRow } from './common.ts';
import type { Row, Scenario } from './types.ts';

const CHROMIUM = '/usr/bin/chromium';
// A page answered through request interception (to add the isolation headers) counts as a public
// address for Chromium's local network access checks, which would then block its socket to 127.0.0.1.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'];
/** Samples per table size and method: at most SAMPLES, at least the minimum (past the window if need be); the first WARMUP are discarded (JIT, first layout). */
const SAMPLES = 300;
const MIN_PATCH_SAMPLES = 60;
const MIN_INNER_SAMPLES = 20;
/** The layout after a patch (10,000 rows: a few hundred ms each). */
const LAYOUT_SAMPLES = 40;
const MIN_LAYOUT_SAMPLES = 12;
const WARMUP = 10;

// Functions handed to page.evaluate run in the page; the root tsconfig has no DOM lib.
declare const window: any;
declare const document: any;
declare const performance: { now(): number };

interface Timing {
  median: number;
  p95: number;
  mean: number;
  samples: number;
}

export const clientPatch: Scenario = {
  name: 'client-patch',
  title: '10. Client patch time by page size',
  what: 'In headless Chromium with the real client: the time to handle a reply that changes one cell of a keyed table of 100, 1,000 and 10,000 rows (merge, render, patch), next to replacing the container\'s innerHTML with the same change.',
  async run(ctx) {
    const largest = Math.max(1, ctx.sessions(10_000));
    const sizes = [...new Set([largest / 100, largest / 10, largest].map((n) => Math.max(1, Math.round(n))))];
    const budgetMs = ctx.duration(4000);
    ctx.result.options = { sizes: sizes.join(', '), budgetMsPerMeasurement: budgetMs, maxSamples: SAMPLES, minPatchSamples: MIN_PATCH_SAMPLES, minInnerSamples: MIN_INNER_SAMPLES, warmup: WARMUP };
    ctx.progress.plan(2 + sizes.length);
    const table = ctx.table('Reply handling in the browser, one cell changed per event (ms; median and p95 over the samples)', [
      { key: 'rows', label: 'rows' },
      { key: 'patchMedian', label: 'patch median', digits: 3 },
      { key: 'patchP95', label: 'patch p95', digits: 3 },
      { key: 'patchSamples', label: 'samples' },
      { key: 'innerMedian', label: 'innerHTML median', digits: 3 },
      { key: 'innerP95', label: 'innerHTML p95', digits: 3 },
      { key: 'innerSamples', label: 'samples' },
      { key: 'faster', label: 'innerHTML / patch', digits: 1 },
      { key: 'hiddenMedian', label: 'patch median, hidden', digits: 3 },
      { key: 'layoutMedian', label: 'layout after a patch', digits: 3 },
    ]);
    const label = `${PEERS.livery.label} client`;
    const goals = () => {
      const first = table.rows.find((r) => r.status === 'ok' && r.values.rows === sizes[0]);
      const last = table.rows.find((r) => r.values.rows === sizes.at(-1)) ?? table.rows.find((r) => r.status !== 'ok');
      const scale = Number(last?.values.patchMedian) / Number(first?.values.patchMedian);
      judgeGoal(ctx, `Patch time at ${sizes.at(-1)} rows ≤ 2× the ${sizes[0]}-row time`, last, first ?? errorRow(label, `no result at ${sizes[0]} rows`), () => ({ met: scale <= 2, detail: `${scale.toFixed(2)}× (${fmt(last!.values.patchMedian)} against ${fmt(first!.values.patchMedian)} ms)` }));
      const faster = Number(last?.values.faster);
      judgeGoal(ctx, `Patch at ${sizes.at(-1)} rows ≥ 20× faster than replacing the container's innerHTML`, last, undefined, () => ({ met: faster >= 20, detail: `${faster.toFixed(1)}× (${fmt(last!.values.patchMedian)} against ${fmt(last!.values.innerMedian)} ms)` }));
      const hidden = Number(last?.values.hiddenMedian) / Number(first?.values.hiddenMedian);
      if (first?.status === 'ok' && last?.status === 'ok' && Number.isFinite(hidden)) {
        ctx.note(`Controls: with the container hidden (same client work, no layout or paint) the ${sizes.at(-1)}-row patch is ${hidden.toFixed(2)}× the ${sizes[0]}-row one (${fmt(last.values.hiddenMedian)} against ${fmt(first.values.hiddenMedian)} ms); the browser's layout after one patch takes ${fmt(first.values.layoutMedian)} ms at ${sizes[0]} rows and ${fmt(last.values.layoutMedian)} ms at ${sizes.at(-1)}.`);
      }
    };

    ctx.progress.step('start livery');
    const started = await ctx.start('livery', ['client-patch']);
    if (!started.ok) {
      table.rows.push(failedRow(label, started));
      return goals();
    }
    ctx.progress.step('start chromium');
    let browser: Browser;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    } catch (err) {
      table.rows.push({ peer: label, status: 'skipped', reason: `Chromium does not start (${CHROMIUM}): ${(err as Error).message.split('\n')[0]}`, values: {} });
      await ctx.stop(started.server);
      return goals();
    }
    try {
      for (const rows of sizes) {
        ctx.progress.step(`${rows} rows`);
        try {
          const { patch, inner, hidden, layout, isolated, rowsOnly } = await measure(browser, started.server, rows, budgetMs);
          table.rows.push(okRow(label, {
            rows,
            patchMedian: patch.median, patchP95: patch.p95, patchSamples: patch.samples,
            innerMedian: inner.median, innerP95: inner.p95, innerSamples: inner.samples,
            faster: inner.median / patch.median,
            hiddenMedian: hidden.median, layoutMedian: layout.median, hiddenSamples: hidden.samples,
            patchMean: patch.mean, innerMean: inner.mean,
          }));
          if (!rowsOnly) ctx.note(`${rows} rows: some replies morphed the whole view, not only the changed row.`);
          if (!isolated) ctx.note(`${rows} rows: the page was not cross-origin isolated, so performance.now() had 100 µs resolution.`);
        } catch (err) {
          table.rows.push({ ...errorRow(label, (err as Error).message), values: { rows } });
        }
      }
    } finally {
      await browser.close();
      await ctx.stop(started.server);
    }
    const ok = table.rows.filter((r: Row) => r.status === 'ok');
    if (ok.length > 0) ctx.note(`Means (ms), patch / innerHTML: ${ok.map((r) => `${r.values.rows} rows ${fmt(r.values.patchMean)} / ${fmt(r.values.innerMean)}`).join('; ')}.`);
    if (ok.length > 0) ctx.chart({
      kind: 'bars',
      file: 'client-patch.svg',
      title: 'Reply handling in the browser, one cell changed (median ms, log scale)',
      unit: 'ms',
      log: true,
      groups: ok.map((r) => ({ label: `${r.values.rows} rows`, values: [Number(r.values.patchMedian), Number(r.values.innerMedian)] })),
      series: ['Livery client patch', 'replace innerHTML'],
    });
    goals();
  },
};

const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '—');

function timing(values: number[]): Timing {
  const kept = values.slice(Math.min(WARMUP, Math.floor(values.length / 2)));
  const sorted = [...kept].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), mean: kept.reduce((a, b) => a + b, 0) / kept.length, samples: kept.length };
}

/** One fresh page with an `rows`-row table: the client's reply handling, then innerHTML replacement. */
async function measure(browser: Browser, server: ServerHandle, rows: number, budgetMs: number): Promise<{ patch: Timing; inner: Timing; hidden: Timing; layout: Timing; isolated: boolean; rowsOnly: boolean }> {
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  try {
    // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
    await page.route((url) => url.pathname === '/client-patch', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
    });
    await page.goto(`http://127.0.0.1:${server.port}/client-patch?rows=${rows}`, { timeout: 60_000 });
    await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 60_000 });
    const count = await page.locator('tbody tr').count();
    if (count !== rows) throw new Error(`the page shows ${count} rows, not ${rows}`);
    const isolated: boolean = await page.evaluate(() => window.crossOriginIsolated === true);

    // Each event changes one cell; the time is View.reply's: merge, render and patch of that reply.
    // `hidden`: the container is not displayed (the browser lays out and paints nothing); `layout`:
    // the time is the layout the browser does right after each reply (outside View.reply's time).
    const replies = (mode: 'shown' | 'hidden' | 'layout', samples: number, least: number): Promise<number[]> => page.evaluate(async ([n, samples, budget, least, mode]) => {
      const view = window.Livery.views.get(1);
      const reply = view.reply;
      const times: number[] = [];
      let answered: (() => void) | undefined;
      view.reply = function (this: unknown, ref: number, diff: unknown) {
        const t0 = performance.now();
        reply.call(this, ref, diff);
        const t1 = performance.now();
        if (mode === 'layout') void view.el.offsetHeight;
        times.push(mode === 'layout' ? performance.now() - t1 : t1 - t0);
        answered?.();
      };
      if (mode === 'hidden') view.el.style.display = 'none';
      const start = performance.now();
      for (let i = 0; i < samples && (i < least || performance.now() - start < budget); i++) {
        const done = new Promise<void>((resolve, reject) => {
          answered = resolve;
          setTimeout(() => reject(new Error('no reply within 30 s')), 30_000);
        });
        if (!view.push(view.el, 'bump', { row: (i * 7919) % n })) throw new Error('the view is not joined');
        await done;
      }
      view.reply = reply;
      view.el.style.display = '';
      return times;
    }, [rows, samples, budgetMs, least, mode] as const);
    // A whole-view morph would remove this mark (the rows' patches never touch the heading).
    await page.evaluate(() => document.querySelector('h1').setAttribute('data-bench', 'kept'));
    const patch = await replies('shown', SAMPLES, MIN_PATCH_SAMPLES);
    const hidden = await replies('hidden', SAMPLES, MIN_PATCH_SAMPLES);
    const layout = await replies('layout', LAYOUT_SAMPLES, MIN_LAYOUT_SAMPLES);
    if (patch.length === 0 || hidden.length === 0 || layout.length === 0) throw new Error('no reply was measured');
    const rowsOnly = (await page.getAttribute('h1', 'data-bench')) === 'kept';

    // The same change, the naive way: a copy of the container whose innerHTML is replaced.
    const inner: number[] = await page.evaluate(async ([n, samples, budget, least]) => {
      const view = window.Livery.views.get(1);
      const copy = document.createElement('div');
      document.body.appendChild(copy);
      const html: string = view.el.innerHTML;
      copy.innerHTML = html;
      const times: number[] = [];
      const start = performance.now();
      for (let i = 0; i < samples && (i < least || performance.now() - start < budget); i++) {
        const row = (i * 7919) % n;
        const next = html.replace(`<th>Row ${row}</th><td>`, `<th>Row ${row}</th><td>${i}.`);
        const t0 = performance.now();
        copy.innerHTML = next;
        times.push(performance.now() - t0);
        // Let the page render between changes, as between replies.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      copy.remove();
      return times;
    }, [rows, SAMPLES, budgetMs, MIN_INNER_SAMPLES] as const);
    if (errors.length > 0) throw new Error(`the page threw: ${errors[0]}`);
    return { patch: timing(patch), inner: timing(inner), hidden: timing(hidden), layout: timing(layout), isolated, rowsOnly };
  } finally {
    await page.close();
  }
}
