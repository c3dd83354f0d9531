/**
 * The upload service of one process: a live view asks it for grants (`grant`), the tus endpoint
 * (`tus.ts`) writes through it, and the view's process hands a finished upload to the view
 * (`complete`). Records live in UploadMeta (memory or Redis) and bytes in an UploadStore (a local
 * directory by default), so an upload started on one process continues on any other.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LiveryError } from '../errors.ts';
import { sessionTag } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import { accepts, contentMatches, typeOfName } from './content-types.ts';
import { UPLOAD_ID } from './local-store.ts';
import { validFileName } from './names.ts';
import { UploadTokens } from './token.ts';
import type { UploadField, UploadFieldOptions, UploadMeta, UploadRecord, UploadStore } from './types.ts';

export interface UploadsOptions {
  readonly store: UploadStore;
  readonly meta: UploadMeta;
  readonly secret: Uint8Array;
  /** Seconds an upload may sit unwritten before it is abandoned (and its token's lifetime). */
  readonly expireSeconds: number;
  /** Bytes per PATCH the browser client sends. */
  readonly chunkBytes: number;
  /** The tenant's storage quota for uploads, in bytes. */
  readonly quota: (tenant: TenantInfo) => number | Promise<number>;
  /** A declared field of a routed view (the HTTP side checks against it). */
  readonly field: (view: string, field: string) => UploadFieldOptions | undefined;
  /** The URL of the tus endpoint for a tenant (tenant-prefixed under path tenancy). */
  readonly endpoint: (tenant: string) => string;
  readonly log?: { error(obj: object, msg: string): void };
}

/** Who is asking, from the socket (never from the client's payload). */
export interface UploadContext {
  readonly tenant: TenantInfo;
  readonly sessionId: string;
  readonly view: string;
}

/** A file the browser wants to upload, as it describes it. */
export interface FileOffer {
  readonly name: unknown;
  readonly size: unknown;
  readonly type: unknown;
  /** The id of an earlier upload of the same file, to resume it. */
  readonly resume?: unknown;
}

/** What the browser needs to upload one file: sent in the reply's `u`. */
export interface UploadGrant {
  readonly ref: string;
  readonly url: string;
  readonly token: string;
  /** True when the upload exists already (resume: HEAD then PATCH); else create it (POST). */
  readonly exists: boolean;
  readonly chunk: number;
}

/** How long an upload's write lock lasts unless renewed (a crashed holder's expires after this). */
export const LOCK_MS = 30_000;
/**
 * How long a PATCH (or a discard) waits for the request holding its upload to let go (D58): that
 * one is asked to stop, records what it stored and releases — within a heartbeat (200 ms) across
 * processes.
 */
export const LOCK_WAIT_MS = 3_000;

/** The handle `handleUpload(field, file)` receives for a complete upload. */
export interface UploadedFile {
  /** The upload's id (unique within the tenant). */
  readonly id: string;
  readonly field: string;
  /** The name the browser gave (validated: no path separators or control characters). */
  readonly name: string;
  readonly size: number;
  /** The type detected from the content. */
  readonly type: string;
  /** The type the browser declared. */
  readonly clientType: string;
  /** The bytes on disk, when the store is a local directory. */
  readonly path: string | undefined;
  /** The bytes, from the start. */
  stream(): Readable;
  /** Moves the file out of the upload store (it is then yours to keep). */
  moveTo(destination: string): Promise<void>;
}

export class Uploads {
  readonly store: UploadStore;
  readonly meta: UploadMeta;
  readonly tokens: UploadTokens;
  readonly options: UploadsOptions;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: UploadsOptions) {
    this.options = options;
    this.store = options.store;
    this.meta = options.meta;
    this.tokens = new UploadTokens(options.secret, options.expireSeconds);
  }

  /**
   * Agrees to take `file` in `field` (or to continue an earlier upload of it): checks its name,
   * declared size and type by name, and the tenant's quota; throws a LiveryError otherwise.
   * Content is checked when its first bytes arrive.
   */
  async grant(ctx: UploadContext, fieldName: string, field: UploadField, file: FileOffer): Promise<{ grant: UploadGrant; offset: number }> {
    const { name, size } = file;
    if (!validFileName(name)) throw new LiveryError('LV_UPLOAD_NAME_INVALID');
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new LiveryError('LV_EVENT_PAYLOAD_INVALID', 'size');
    if (size > field.maxSize) throw new LiveryError('LV_UPLOAD_TOO_LARGE', `${size} > ${field.maxSize} bytes`);
    if (!accepts(field.accept, typeOfName(name))) throw new LiveryError('LV_UPLOAD_TYPE_REFUSED', 'by its name');
    const session = sessionTag(ctx.sessionId);
    const tenant = ctx.tenant.id;
    const claims = { tenant, session, view: ctx.view, field: fieldName, size, name };
    if (typeof file.resume === 'string' && UPLOAD_ID.test(file.resume)) {
      const record = await this.meta.get(tenant, file.resume);
      if (record !== undefined && record.session === session && record.view === ctx.view && record.field === fieldName && record.size === size && record.name === name) {
        const token = this.tokens.sign({ ...claims, id: record.id });
        return { grant: { ref: record.id, url: this.#url(tenant, record.id), token, exists: true, chunk: this.options.chunkBytes }, offset: record.offset };
      }
    }
    if ((await this.meta.usage(tenant)) + size > (await this.options.quota(ctx.tenant))) throw new LiveryError('LV_UPLOAD_QUOTA_EXCEEDED');
    const id = randomBytes(16).toString('base64url');
    const token = this.tokens.sign({ ...claims, id });
    return { grant: { ref: id, url: this.options.endpoint(tenant), token, exists: false, chunk: this.options.chunkBytes }, offset: 0 };
  }

  /** This session's upload `id` of `field` in this view, or a LiveryError. */
  async recordOf(ctx: UploadContext, fieldName: string, id: string): Promise<UploadRecord> {
    const record = UPLOAD_ID.test(id) ? await this.meta.get(ctx.tenant.id, id) : undefined;
    if (record === undefined) throw new LiveryError('LV_UPLOAD_NOT_FOUND');
    if (record.session !== sessionTag(ctx.sessionId) || record.view !== ctx.view || record.field !== fieldName) throw new LiveryError('LV_UPLOAD_FORBIDDEN');
    return record;
  }

  /** The complete upload as a handle for `handleUpload`; LV_UPLOAD_INCOMPLETE while bytes are missing. */
  async complete(ctx: UploadContext, fieldName: string, id: string): Promise<UploadedFile> {
    const record = await this.recordOf(ctx, fieldName, id);
    if (record.offset < record.size) throw new LiveryError('LV_UPLOAD_INCOMPLETE', `${record.offset} of ${record.size} bytes`);
    if (!contentMatches(typeOfName(record.name), record.detected) || !accepts(record.accept, record.detected)) throw new LiveryError('LV_UPLOAD_TYPE_REFUSED', 'by its content');
    const { store } = this;
    const tenant = ctx.tenant.id;
    return {
      id, field: fieldName, name: record.name, size: record.size, type: record.detected, clientType: record.type,
      path: store.localPath?.(tenant, id),
      stream: () => store.stream(tenant, id, record.size),
      moveTo: async (destination) => {
        if (store.moveTo !== undefined) return store.moveTo(tenant, id, destination);
        const { pipeline } = await import('node:stream/promises');
        const { createWriteStream } = await import('node:fs');
        await pipeline(store.stream(tenant, id, record.size), createWriteStream(destination));
      },
    };
  }

  /**
   * Removes an upload's bytes and record (cancelled, handled, or abandoned). A request still
   * writing it is asked to stop first and let go of the lock, so no byte and no progress record
   * lands after the removal. A holder that does not let go in time (a crashed process: its lock
   * expires) cannot write either; the removal goes ahead.
   */
  async discard(tenant: string, id: string): Promise<void> {
    const lock = await this.meta.lock(tenant, id, LOCK_MS, LOCK_WAIT_MS);
    try {
      await this.store.remove(tenant, id);
      await this.meta.delete(tenant, id);
    } finally {
      await lock?.release();
    }
  }

  /** Removes uploads idle for longer than `expireSeconds`; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const cutoff = now - this.options.expireSeconds * 1000;
    let removed = 0;
    for await (const { tenant, id } of this.store.stale(cutoff)) {
      const record = await this.meta.get(tenant, id);
      if (record !== undefined && record.updated >= cutoff) continue;
      await this.discard(tenant, id);
      removed++;
    }
    return removed;
  }

  /** Sweeps every quarter of the expiry (at most every 10 minutes), off the event loop's books. */
  startSweeping(): void {
    const every = Math.min(this.options.expireSeconds * 250, 10 * 60 * 1000);
    this.#sweeper = setInterval(() => {
      this.sweep().catch((error) => this.options.log?.error({ err: error }, 'sweeping abandoned uploads failed'));
    }, every);
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.meta.close();
  }

  #url(tenant: string, id: string): string {
    return `${this.options.endpoint(tenant)}/${id}`;
  }
}
