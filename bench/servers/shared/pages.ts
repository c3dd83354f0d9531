/**
 * The bench's example pages, rendered whole: what the naive full-HTML design re-sends on every
 * event, and the yardstick for "one cell ≤ 2% of the full HTML". They mirror the views Livery's
 * bench routes serve (counter, search, a 100-row table, a 1,000-row keyed list), with a modest
 * page shell so a full page weighs what a small real page weighs.
 */

export interface PageState {
  count: number;
  query: string;
  /** Table cells, row-major, 100 × 4. */
  cells: number[];
  /** Keyed list: ids in display order. */
  items: number[];
  nextItem: number;
}

export const TABLE_ROWS = 100;
export const TABLE_COLS = 4;
export const LIST_ROWS = 1000;

// The same 600 items as the example app's search view (views/search.ts), so a keystroke changes
// the same rows for every peer.
const ADJECTIVES = ['amber', 'brisk', 'calm', 'daring', 'eager', 'fancy', 'gentle', 'hazel', 'icy', 'jolly', 'keen', 'lunar',
  'mellow', 'noble', 'olive', 'proud', 'quiet', 'rapid', 'silver', 'tidy', 'urban', 'vivid', 'witty', 'young', 'zesty'];
const ANIMALS = ['badger', 'cobra', 'dingo', 'egret', 'falcon', 'gecko', 'heron', 'ibis', 'jackal', 'koala', 'lemur', 'marten',
  'newt', 'otter', 'panda', 'quail', 'raven', 'stoat', 'tapir', 'urchin', 'viper', 'walrus', 'yak', 'zebra'];
const NAMES = ADJECTIVES.flatMap((adjective) => ANIMALS.map((animal) => `${adjective} ${animal}`));

export function initialState(): PageState {
  return {
    count: 0,
    query: '',
    cells: Array.from({ length: TABLE_ROWS * TABLE_COLS }, (_, i) => i),
    items: Array.from({ length: LIST_ROWS }, (_, i) => i + 1),
    nextItem: LIST_ROWS + 1,
  };
}

function shell(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title} · Bench</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/app.css">` +
    `<script defer src="/app.js"></script></head><body><header class="top"><nav><a href="/">Home</a> ` +
    `<a href="/counter">Counter</a> <a href="/search">Search</a> <a href="/table">Table</a> <a href="/list">List</a></nav></header>` +
    `<main id="app">${body}</main><footer class="bottom"><p>Rendered on the server.</p></footer></body></html>`
  );
}

export function counterBody(count: number): string {
  return `<section class="counter"><h1>Counter</h1><p>Count: <strong>${count}</strong></p><button lv-click="dec">-</button><button lv-click="inc">+</button></section>`;
}

function searchBody(query: string): string {
  const needle = query.trim().toLowerCase();
  const hits = NAMES.filter((n) => n.includes(needle));
  return `<section class="search"><h1>Search</h1><input name="q" value="${query}" lv-input="search"><ul>${hits.map((n) => `<li>${n}</li>`).join('')}</ul></section>`;
}

function tableBody(cells: number[]): string {
  let rows = '';
  for (let r = 0; r < TABLE_ROWS; r++) {
    let tds = '';
    for (let c = 0; c < TABLE_COLS; c++) tds += `<td>${cells[r * TABLE_COLS + c]}</td>`;
    rows += `<tr><th>Row ${r}</th>${tds}</tr>`;
  }
  return `<section class="table"><h1>Table</h1><table><tbody>${rows}</tbody></table></section>`;
}

function listBody(items: number[]): string {
  return `<section class="list"><h1>List</h1><ul>${items.map((id) => `<li id="item-${id}">Item ${id}</li>`).join('')}</ul></section>`;
}

export function renderPage(view: string, s: PageState): string {
  if (view === 'search') return shell('Search', searchBody(s.query));
  if (view === 'table') return shell('Table', tableBody(s.cells));
  if (view === 'list') return shell('List', listBody(s.items));
  return shell('Counter', counterBody(s.count));
}

/** Applies an event to the page state; returns false for an unknown event. */
export function applyEvent(s: PageState, event: string, payload: Record<string, unknown>): boolean {
  if (event === 'inc') s.count++;
  else if (event === 'dec') s.count--;
  else if (event === 'search') s.query = String(payload.q ?? '');
  else if (event === 'touch') s.cells[Number(payload.row ?? 0) * TABLE_COLS + 1]++;
  else if (event === 'insert') s.items.splice(Number(payload.at ?? 0), 0, s.nextItem++);
  else return false;
  return true;
}
