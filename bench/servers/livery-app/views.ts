/**
 * Bench-only Livery views, beside the example app's counter, clock and search (reused as they
 * are). Each exists for one scenario: a tick that changes nothing (zero bytes expected), a 100-row
 * table where one cell changes, a 1,000-row keyed list that gains one row, an idle view holding
 * ~1 KB of state (memory per session, and the first event after idle), keyed tables of 100,
 * 1,000 and 10,000 rows where each event changes one cell (cost per event against page size), and
 * views bumping a number at 1, 5, 10 and 20 Hz (the tick frequency ladder).
 */
import { z } from 'zod';
import { LiveView, type Params } from '../../../server/index.ts';

/** Ticks every second and changes nothing: the wire must stay silent. */
export class TickNoopView extends LiveView<{ label: string }> {
  static template = 'bench-tick-noop.html';
  static tickInterval = 1000;

  mount() {
    return { label: 'steady' };
  }

  tick() {}
}

/**
 * The frequency ladder's views: a number bumped on every tick, so every tick changes one small
 * value and pushes one frame (`[2,"d",1,{"0":"1000001"}]`, 25 B: n starts at a million so its width,
 * and the frame's size, stay put). The load generator reads `n` back to place each frame on its
 * socket's own schedule (at 20 Hz a late frame is further behind than half a period, where
 * rounding arrival times would misplace it).
 */
abstract class TickRateView extends LiveView<{ n: number }> {
  static template = 'bench-tick-rate.html';

  mount() {
    return { n: 1_000_000 };
  }

  tick() {
    this.state.n += 1;
  }
}

export class Tick1HzView extends TickRateView {
  static tickInterval = 1000;
}
export class Tick5HzView extends TickRateView {
  static tickInterval = 200;
}
export class Tick10HzView extends TickRateView {
  static tickInterval = 100;
}
export class Tick20HzView extends TickRateView {
  static tickInterval = 50;
}

interface Row {
  id: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

/** 100 rows × 4 cells; `touch` bumps one cell of one row. */
export class TableView extends LiveView<{ rows: Row[] }> {
  static template = 'bench-table.html';
  static events = { touch: z.object({ row: z.number().int().min(0).max(99) }) };

  mount() {
    return { rows: Array.from({ length: 100 }, (_, i) => ({ id: i, a: i, b: i * 2, c: i * 3, d: i * 4 })) };
  }

  touch({ row }: { row: number }) {
    this.state.rows[row].b += 1;
  }
}

interface SizedRow {
  id: string;
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * A keyed table of `rows` rows (5 cells each); `bump` adds one to one cell of the next row in a
 * fixed stride, so consecutive events touch rows all over the table. Keys (`r00042`) and the
 * bumped cell (1000…9999) keep their width, so every event's diff has the same size whatever
 * the table's: what grows with the page is only what the server does, if anything.
 */
abstract class PageSizeView extends LiveView<{ rows: SizedRow[]; cursor: number }> {
  static template = 'bench-page-size.html';
  static events = { bump: null };
  static rows = 0;

  mount() {
    const rows = (this.constructor as typeof PageSizeView).rows;
    return {
      rows: Array.from({ length: rows }, (_, i) => ({ id: `r${String(i).padStart(5, '0')}`, a: i, b: 1000 + (i % 9000), c: i * 3, d: i * 4 })),
      cursor: 0,
    };
  }

  bump() {
    const rows = this.state.rows;
    const i = this.state.cursor;
    const row = rows[i];
    row.b = row.b >= 9999 ? 1000 : row.b + 1;
    this.state.cursor = (i + 37) % rows.length; // 37 is prime to 100, 1,000 and 10,000: every row in turn
  }
}

export class PageSize100View extends PageSizeView {
  static rows = 100;
}
export class PageSize1000View extends PageSizeView {
  static rows = 1_000;
}
export class PageSize10000View extends PageSizeView {
  static rows = 10_000;
}

/** 1,000 keyed rows; `insert` adds one row at an index. */
export class ListView extends LiveView<{ items: { id: number; name: string }[]; next: number }> {
  static template = 'bench-list.html';
  static events = { insert: z.object({ at: z.number().int().min(0) }) };

  mount() {
    return { items: Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, name: `Item ${i + 1}` })), next: 1001 };
  }

  insert({ at }: { at: number }) {
    const id = this.state.next++;
    this.state.items.splice(at, 0, { id, name: `Item ${id}` });
  }
}

/**
 * A mounted view with ~1 KB of state that sits idle; `touch` (one counter up) is the event the
 * memory scenario sends after the idle period, to time the first event after idle against a warm one.
 */
export class IdleView extends LiveView<{ note: string; touched: number }> {
  static template = 'bench-idle.html';
  static events = { touch: z.object({}) };

  mount() {
    return { note: 'x'.repeat(1024), touched: 0 };
  }

  touch() {
    this.state.touched += 1;
  }
}

/** The topic of the broadcast view; the runner makes it unique per run (Redis is shared). */
const TOPIC = process.env.LIVERY_BENCH_TOPIC ?? 'bench';

/**
 * Subscribes to one topic on join; `pub` broadcasts the sender's sequence number `n` and every
 * subscriber shows the last one received (the template's first slot, so a push reads
 * `[2,"d",vid,{"0":"<n>"}]`).
 */
export class BroadcastView extends LiveView<{ last: number }> {
  static template = 'bench-broadcast.html';
  static events = { pub: z.object({ n: z.number().int() }) };

  mount() {
    return { last: 0 };
  }

  async onJoin() {
    await this.subscribe(TOPIC);
  }

  async pub({ n }: { n: number }) {
    await this.broadcast(TOPIC, n);
  }

  handleInfo(message: unknown) {
    if (typeof message === 'number') this.state.last = message;
  }
}

/** The upload scenario's view: takes any file and notes its size (the bytes are what is measured). */
export class FilesView extends LiveView<{ received: number }> {
  static template = 'bench-files.html';
  static uploads = { file: { maxSize: 1024 * 1024 * 1024, maxFiles: 4, accept: ['*/*'] } };
  mount() {
    return { received: 0 };
  }
  handleUpload(_field: string, file: { size: number }) {
    this.state.received += file.size;
  }
}

/**
 * The client-patch scenario's view: a keyed table of `?rows=N` rows (100 by default, at most
 * 10,000); `bump` adds one to one row's cell. A row's state is two small numbers, so 10,000 rows
 * stay within the default `state.maxBytes`.
 */
export class ClientPatchView extends LiveView<{ rows: { i: number; v: number }[] }> {
  static template = 'bench-client-patch.html';
  static events = { bump: z.object({ row: z.number().int().min(0) }) };

  mount(params: Params) {
    const n = Math.min(10_000, Math.max(1, Math.floor(Number(params.rows)) || 100));
    return { rows: Array.from({ length: n }, (_, i) => ({ i, v: 0 })) };
  }

  bump({ row }: { row: number }) {
    const r = this.state.rows[row];
    if (r) r.v += 1;
  }
}

/** Items a `stream-10k` view streams when it joins (scenario 11). */
export const STREAMED_ITEMS = 10_000;

/**
 * Scenario 11's reference: the `idle` view's state, with a stream declared that it never fills.
 * Event `touch` as `idle`'s.
 */
export class StreamNoneView extends LiveView<{ note: string; touched: number }> {
  static template = 'bench-stream.html';
  static streams = { items: {} };
  static events = { touch: z.object({}) };

  mount() {
    return { note: 'x'.repeat(1024), touched: 0 };
  }

  touch() {
    this.state.touched += 1;
  }
}

/** The same view, streaming STREAMED_ITEMS items on every join (D82): the server keeps none of them. */
export class Stream10kView extends StreamNoneView {
  onJoin() {
    this.stream('items', Array.from({ length: STREAMED_ITEMS }, (_, i) => ({ id: i + 1, text: `item ${i + 1}` })), { reset: true });
  }
}
