/**
 * The shapes of uploads: what a view declares per upload field, what Livery records per upload
 * (in memory or Redis, so any process can continue it), and the two interfaces behind them —
 * where the bytes live (`UploadStore`) and where the records live (`UploadMeta`).
 */
import type { Readable } from 'node:stream';

/** One upload field as a view declares it in `static uploads`. */
export interface UploadFieldOptions {
  /** Largest file, in bytes (default 10 MB). */
  readonly maxSize?: number;
  /** Files uploading at once in this field (default 1). */
  readonly maxFiles?: number;
  /**
   * Allowed types: MIME types (`image/png`), families (`image/*`), extensions (`.pdf`), or
   * `*\/*` for anything. Checked against the file's name and, once its first bytes arrive,
   * against its content (magic bytes).
   */
  readonly accept: readonly string[];
}

export type UploadFields = Readonly<Record<string, UploadFieldOptions>>;

/** A field with its defaults filled in. */
export interface UploadField {
  readonly maxSize: number;
  readonly maxFiles: number;
  readonly accept: readonly string[];
}

/** What Livery keeps about one upload, shared by every process (UploadMeta). */
export interface UploadRecord {
  readonly id: string;
  readonly tenant: string;
  /** The session's tag (a hash: the session id itself is a credential). */
  readonly session: string;
  readonly view: string;
  readonly field: string;
  readonly name: string;
  /** The type the browser declared (informational; the content decides). */
  readonly type: string;
  readonly size: number;
  /** The field's `accept` when the upload was created: the HTTP side checks content against it. */
  readonly accept: readonly string[];
  /** Bytes received and stored: where the next PATCH must start. */
  readonly offset: number;
  /** The content's type, detected from its first bytes ('' until they arrived). */
  readonly detected: string;
  readonly created: number;
  /** Last write (ms): an upload idle for `uploads.expireSeconds` is abandoned. */
  readonly updated: number;
}

/**
 * Where upload bytes live. The built-in store is a local directory (`LocalUploadStore`,
 * `.livery/uploads/<tenant>/<id>`), shared by the processes of one machine. An S3-compatible
 * store implements the same methods (docs/uploads.md): `write` may buffer a part until it is
 * large enough for a multipart part, as long as it resolves with what is durably stored.
 * Tenants and ids reaching a store are validated (slugs, base64url ids).
 */
export interface UploadStore {
  /** Creates an empty upload. */
  create(tenant: string, id: string): Promise<void>;
  /**
   * Writes `body` starting at `offset` (the acknowledged length; anything stored past it from an
   * interrupted write is overwritten), at most `limit` bytes. `onStored(length)` is called as
   * bytes are stored. Resolves with the new length; rejects only when storing failed.
   */
  write(tenant: string, id: string, offset: number, body: AsyncIterable<Uint8Array>, limit: number, onStored?: (length: number) => void | Promise<void>): Promise<number>;
  /** The complete upload's bytes, from the start. */
  stream(tenant: string, id: string, size: number): Readable;
  /** A local file path for the upload, when the store is a local directory. */
  localPath?(tenant: string, id: string): string;
  /** Moves a complete upload to `destination` (a local path); copies when a rename cannot. */
  moveTo?(tenant: string, id: string, destination: string): Promise<void>;
  remove(tenant: string, id: string): Promise<void>;
  /** Uploads not written since `before` (ms since the epoch): candidates for the sweeper. */
  stale(before: number): AsyncIterable<{ tenant: string; id: string }>;
  /** Startup probe: rejects when the store cannot take uploads (livery.C061). */
  check(): Promise<void>;
}

/** Upload records: in memory (one process) or in Redis (every process), built from keys.ts. */
export interface UploadMeta {
  /** Stores a new record; false when the id exists. */
  create(record: UploadRecord, ttlSeconds: number): Promise<boolean>;
  /** The record, or undefined (unknown, expired, or another tenant's: keys are per tenant). */
  get(tenant: string, id: string): Promise<UploadRecord | undefined>;
  /** Records progress (and the detected type); refreshes the expiry. */
  update(tenant: string, id: string, change: { offset: number; detected?: string }, ttlSeconds: number): Promise<void>;
  delete(tenant: string, id: string): Promise<void>;
  /**
   * Reserves `size` bytes of the tenant's quota for upload `id`: false when the uploads the
   * tenant holds (in progress or not yet handled) plus `size` exceed `quota`.
   */
  reserve(tenant: string, id: string, size: number, quota: number): Promise<boolean>;
  /** Bytes the tenant's uploads hold (reserved sizes). */
  usage(tenant: string): Promise<number>;
  /** Exclusive right to write an upload for `ms` (renewable), or undefined while another request holds it. */
  lock(tenant: string, id: string, ms: number): Promise<UploadLock | undefined>;
  close(): Promise<void>;
}

/** A held upload lock: renew it while writing, release it when done. */
export interface UploadLock {
  renew(): Promise<void>;
  release(): Promise<void>;
}
