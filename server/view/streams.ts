/**
 * A view's streams (D82, docs/views.md "Streams"): declared with `static streams`, filled with
 * `this.stream`, `streamInsert` and `streamDelete`, shown by `{% for m in streams.messages %}`.
 * Only the operations since the last render are held (server/diff/stream.ts); nothing of a
 * stream is in the view's state, so nothing of it is saved, measured or sent to Redis.
 */
import { APPEND, Stream } from '../diff/index.ts';
import { LiveryError } from '../errors.ts';

/** One stream's declaration: how to key its items (default: the item's `id`). */
export interface StreamDeclaration<T = never> {
  readonly key?: (item: T) => unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the item type is each stream's own
export type StreamDeclarations = Readonly<Record<string, StreamDeclaration<any>>>;

export interface StreamInsertOptions {
  /** Where the item goes: -1 (default) appends, 0 prepends, n inserts before the item at index n. */
  readonly at?: number;
  /** Trim the client's items after inserting: negative keeps the last |limit|, positive the first limit. */
  readonly limit?: number;
}

export interface StreamOptions extends StreamInsertOptions {
  /** Empty the client's items first (then insert these). */
  readonly reset?: boolean;
}

/**
 * The most stream operations one view may hold back while its socket is over its send budget
 * (D85): past it the client is not keeping up with the stream, and the socket is closed
 * LV_SOCKET_STALLED; the rejoin re-streams from `onJoin`. The server keeps no items, so it has
 * nothing smaller to send instead, and dropping operations would leave the client's list wrong.
 */
export const MAX_HELD_STREAM_OPS = 10_000;

/** The template name of a view's streams (`{% for m in streams.messages %}`). */
export const STREAMS_NAME = 'streams';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

export class ViewStreams {
  /** The template's `streams`: each declared stream by name. */
  readonly byName: Record<string, Stream> = {};
  readonly #keys: Record<string, ((item: never) => unknown) | undefined> = {};
  /** Each stream's pending count when the running handler began (undone if it throws). */
  #marks: number[] | undefined;

  constructor(declarations: StreamDeclarations) {
    for (const name of Object.keys(declarations)) {
      this.byName[name] = new Stream(name);
      this.#keys[name] = declarations[name]?.key;
    }
  }

  stream(name: string): Stream {
    const stream = Object.hasOwn(this.byName, name) ? this.byName[name] : undefined;
    if (stream === undefined) throw new LiveryError('LV_STREAM_UNKNOWN', `"${String(name).slice(0, 64)}" (declared: ${Object.keys(this.byName).join(', ') || 'none'})`);
    return stream;
  }

  /** The item's key, as a string: from the stream's `key`, else its `id`. */
  keyOf(name: string, item: unknown): string {
    const key = this.#keys[name];
    let value: unknown;
    if (key !== undefined) value = key(item as never);
    else if (typeof item === 'object' && item !== null) value = (item as { id?: unknown }).id;
    if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
    throw new LiveryError('LV_STREAM_ITEM_KEY', `stream "${name}": ${key === undefined ? 'the item has no id' : 'key(item) returned ' + describe(value)}`);
  }

  get pending(): boolean {
    for (const name in this.byName) if (this.byName[name].pending) return true;
    return false;
  }

  /** How many operations wait to be rendered, over all the view's streams. */
  get held(): number {
    let count = 0;
    for (const name in this.byName) count += this.byName[name].mark;
    return count;
  }

  /** A handler is about to run. */
  begin(): void {
    const names = Object.keys(this.byName);
    const marks = (this.#marks ??= new Array<number>(names.length));
    for (let i = 0; i < names.length; i++) marks[i] = this.byName[names[i]].mark;
  }

  /** The handler threw: its stream operations are dropped with its other changes. */
  rollback(): void {
    const marks = this.#marks;
    if (marks === undefined) return;
    const names = Object.keys(this.byName);
    for (let i = 0; i < names.length; i++) this.byName[names[i]].truncate(marks[i]);
  }

  /** The render sent every pending operation. */
  clear(): void {
    for (const name in this.byName) this.byName[name].clear();
  }
}

function describe(value: unknown): string {
  return value === '' ? 'an empty string' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value).slice(0, 32);
}

/** `at` and `limit` as the wire carries them; anything else is refused before the stream changes. */
export function checkOptions(name: string, options: StreamOptions): { at: number; limit: number | undefined } {
  const at = options.at ?? APPEND;
  const limit = options.limit;
  if (!Number.isSafeInteger(at) || at < APPEND) throw new LiveryError('LV_STREAM_OPTIONS_INVALID', `stream "${name}": at must be -1 (append) or an index ≥ 0, got ${String(at)}`);
  if (limit !== undefined && !Number.isSafeInteger(limit)) throw new LiveryError('LV_STREAM_OPTIONS_INVALID', `stream "${name}": limit must be an integer, got ${String(limit)}`);
  return { at, limit };
}

/** What is wrong with a view's `static streams` (livery.C072), one line per problem. */
export function streamDeclarationProblems(declarations: unknown): string[] {
  if (declarations === undefined) return [];
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) return ['static streams must be an object: { name: { key?: (item) => item.id } }'];
  const problems: string[] = [];
  for (const [name, declaration] of Object.entries(declarations)) {
    if (!IDENTIFIER.test(name)) problems.push(`stream "${name}": the name must be an identifier (letters, digits, _)`);
    if (typeof declaration !== 'object' || declaration === null) problems.push(`stream "${name}": declare it as {} or { key: (item) => … }`);
    else if ((declaration as StreamDeclaration).key !== undefined && typeof (declaration as StreamDeclaration).key !== 'function') problems.push(`stream "${name}": key must be a function (item) => key`);
  }
  return problems;
}
