/**
 * The tus 1.0.0 endpoint (https://tus.io/protocols/resumable-upload): core (HEAD, PATCH,
 * OPTIONS) with the creation, termination and expiration extensions — the part of tus that
 * resumable browser uploads use, written against Livery's upload records rather than adapted
 * from @tus/server (docs/design.md, D55). Framework-free: `server/http/uploads.ts` resolves the
 * request's tenant and session and hands over a TusRequest.
 *
 * Every request but OPTIONS carries `Authorization: Bearer <upload token>` (issued by the live
 * view); the token must name this tenant, this session and, past creation, this upload. Bad input
 * gets a stable code (JSON body `{code, message}`, header `Livery-Error`) and changes nothing:
 * a PATCH at the wrong offset, past the declared length, or whose first bytes are not of an
 * accepted type writes nothing.
 */
import { errors, LiveryError, registryCode, statusOf, type ErrorCode } from '../errors.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import { accepts, contentMatches, detectType, SNIFF_BYTES, typeOfName } from './content-types.ts';
import { fieldOf } from './fields.ts';
import { UPLOAD_ID } from './local-store.ts';
import { LOCK_MS, LOCK_WAIT_MS, type Uploads } from './service.ts';
import type { UploadClaims } from './token.ts';
import type { UploadRecord } from './types.ts';

export const TUS_VERSION = '1.0.0';
const EXTENSIONS = 'creation,termination,expiration';
export const TUS_CONTENT_TYPE = 'application/offset+octet-stream';
/** Progress is recorded at least every this many bytes. */
const COMMIT_EVERY = 1024 * 1024;

export interface TusRequest {
  readonly method: string;
  /** The upload id from the URL (undefined for the creation URL). */
  readonly id: string | undefined;
  header(name: string): string | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  /** The request's own tenant and session tag (resolved from host/path and cookie). */
  readonly tenant: TenantInfo;
  readonly session: string;
  /** True once the client's connection dropped (the body then ends early). */
  aborted(): boolean;
}

export interface TusResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export async function handleTus(uploads: Uploads, request: TusRequest): Promise<TusResponse> {
  try {
    if (request.method === 'OPTIONS') return tusOptions();
    if (request.header('tus-resumable') !== TUS_VERSION) return failure('LV_UPLOAD_VERSION', 'Tus-Resumable must be 1.0.0');
    const claims = authorize(uploads, request);
    switch (request.method) {
      case 'POST': return await create(uploads, request, claims);
      case 'HEAD': return head(uploads, await owned(uploads, request, claims));
      case 'PATCH': return await patch(uploads, request, await owned(uploads, request, claims));
      case 'DELETE': {
        const record = await owned(uploads, request, claims);
        await uploads.discard(record.tenant, record.id);
        return respond(204);
      }
      default: return failure('LV_UPLOAD_BAD_REQUEST', `method ${request.method.slice(0, 16)}`, 405);
    }
  } catch (error) {
    const code = registryCode(error);
    if (code === undefined) throw error;
    return failure(code, (error as LiveryError).detail);
  }
}

/** OPTIONS: what this server speaks (needs no session or token). */
export function tusOptions(): TusResponse {
  return respond(204, { 'Tus-Version': TUS_VERSION, 'Tus-Extension': EXTENSIONS });
}

/** The token, checked against the request's own tenant and session (and its URL's id). */
function authorize(uploads: Uploads, request: TusRequest): UploadClaims {
  const auth = request.header('authorization') ?? '';
  const claims = uploads.tokens.verify(auth.startsWith('Bearer ') ? auth.slice(7) : undefined);
  if (claims.tenant !== request.tenant.id || claims.session !== request.session) throw new LiveryError('LV_UPLOAD_FORBIDDEN', 'the token was issued to another tenant or session');
  if (request.id !== undefined && request.id !== claims.id) throw new LiveryError('LV_UPLOAD_FORBIDDEN', 'the token names another upload');
  return claims;
}

/** The upload the URL names, if it is this tenant's and this session's. */
async function owned(uploads: Uploads, request: TusRequest, claims: UploadClaims): Promise<UploadRecord> {
  const id = request.id;
  const record = id !== undefined && UPLOAD_ID.test(id) ? await uploads.meta.get(request.tenant.id, id) : undefined;
  if (record === undefined) throw new LiveryError('LV_UPLOAD_NOT_FOUND');
  if (record.session !== claims.session || record.view !== claims.view || record.field !== claims.field) throw new LiveryError('LV_UPLOAD_FORBIDDEN');
  return record;
}

async function create(uploads: Uploads, request: TusRequest, claims: UploadClaims): Promise<TusResponse> {
  if (request.id !== undefined) return failure('LV_UPLOAD_BAD_REQUEST', 'POST to the creation URL', 405);
  if (request.header('upload-defer-length') !== undefined) throw new LiveryError('LV_UPLOAD_BAD_REQUEST', 'Upload-Defer-Length is not supported');
  const length = integerHeader(request, 'upload-length');
  if (length !== claims.size) throw new LiveryError('LV_UPLOAD_BAD_REQUEST', 'Upload-Length differs from the size the view granted');
  const filename = metadata(request.header('upload-metadata')).get('filename');
  if (filename !== undefined && filename !== claims.name) throw new LiveryError('LV_UPLOAD_BAD_REQUEST', 'the filename differs from the one the view granted');
  const declared = uploads.options.field(claims.view, claims.field);
  if (declared === undefined) throw new LiveryError('LV_UPLOAD_FIELD_UNKNOWN');
  const field = fieldOf(declared);
  if (claims.size > field.maxSize) throw new LiveryError('LV_UPLOAD_TOO_LARGE');
  const existing = await uploads.meta.get(request.tenant.id, claims.id);
  // A retried POST (its response was lost) finds its own upload: answer as the first time.
  if (existing !== undefined) return respond(201, { Location: location(uploads, claims), 'Upload-Offset': String(existing.offset), ...expires(uploads, existing) });
  if (!(await uploads.meta.reserve(request.tenant.id, claims.id, claims.size, await uploads.options.quota(request.tenant)))) throw new LiveryError('LV_UPLOAD_QUOTA_EXCEEDED');
  const now = Date.now();
  const record: UploadRecord = {
    id: claims.id, tenant: request.tenant.id, session: claims.session, view: claims.view, field: claims.field, name: claims.name,
    type: metadata(request.header('upload-metadata')).get('filetype')?.slice(0, 255) ?? '', size: claims.size, accept: field.accept,
    // An empty file has all its content now: nothing will be sniffed, so it is typed here (as
    // empty text — a name whose type has a signature, `empty.png`, is then refused as ever).
    offset: 0, detected: claims.size === 0 ? detectType(new Uint8Array(0)) : '', created: now, updated: now,
  };
  try {
    await uploads.store.create(record.tenant, record.id);
  } catch (error) {
    await uploads.meta.delete(record.tenant, record.id);
    throw new LiveryError('LV_UPLOAD_STORE_FAILED', undefined, { cause: error });
  }
  if (!(await uploads.meta.create(record, uploads.options.expireSeconds))) throw new LiveryError('LV_UPLOAD_FORBIDDEN', 'the upload exists');
  return respond(201, { Location: location(uploads, claims), 'Upload-Offset': '0', ...expires(uploads, record) });
}

function head(uploads: Uploads, record: UploadRecord): TusResponse {
  return respond(200, { 'Upload-Offset': String(record.offset), 'Upload-Length': String(record.size), ...expires(uploads, record) });
}

async function patch(uploads: Uploads, request: TusRequest, owned: UploadRecord): Promise<TusResponse> {
  if ((request.header('content-type') ?? '').split(';')[0].trim().toLowerCase() !== TUS_CONTENT_TYPE) {
    return failure('LV_UPLOAD_BAD_REQUEST', `Content-Type must be ${TUS_CONTENT_TYPE}`, 415);
  }
  const offset = integerHeader(request, 'upload-offset');
  const length = integerHeader(request, 'content-length');
  // Offsets only grow: a PATCH behind the record is refused without disturbing a running write.
  if (offset < owned.offset) throw new LiveryError('LV_UPLOAD_OFFSET_MISMATCH', `the upload is at ${owned.offset}`);
  if (offset + length > owned.size) throw new LiveryError('LV_UPLOAD_PAST_LENGTH', `${offset} + ${length} > ${owned.size}`);
  // A request still writing this upload (typically one whose connection dropped unnoticed) is
  // asked to stop; it records what it stored, so the record is read again once the lock is ours.
  const lock = await uploads.meta.lock(owned.tenant, owned.id, LOCK_MS, LOCK_WAIT_MS);
  if (lock === undefined) throw new LiveryError('LV_UPLOAD_LOCKED');
  const { tenant, id } = owned;
  let stored = offset;
  let committed = offset;
  let detected = '';
  const commit = async () => {
    committed = stored;
    await uploads.meta.update(tenant, id, { offset: stored, detected }, uploads.options.expireSeconds);
  };
  try {
    const record = await uploads.meta.get(tenant, id);
    if (record === undefined) throw new LiveryError('LV_UPLOAD_NOT_FOUND');
    if (offset !== record.offset) throw new LiveryError('LV_UPLOAD_OFFSET_MISMATCH', `the upload is at ${record.offset}`);
    detected = record.detected;
    // Taken over (lock.signal): stop at the last whole chunk stored, which `stored` then says.
    const incoming = until(request.body, lock.signal);
    // Until the content's type is known and accepted, nothing is stored.
    const body = detected === '' ? sniffed(incoming, Math.min(record.size, SNIFF_BYTES), (head) => {
      detected = detectType(head);
      if (!contentMatches(typeOfName(record.name), detected) || !accepts(record.accept, detected)) throw new LiveryError('LV_UPLOAD_TYPE_REFUSED', `the content is ${detected}`);
    }) : incoming;
    try {
      await uploads.store.write(tenant, id, offset, body, Math.min(length, record.size - offset), async (now) => {
        stored = now;
        if (stored - committed >= COMMIT_EVERY) await commit();
      });
    } catch (error) {
      if (error instanceof LiveryError) throw error;
      // The connection dropped (or the disk failed): keep what was stored; HEAD reports it.
      if (stored > committed) await commit();
      if (request.aborted()) return respond(400);
      throw new LiveryError('LV_UPLOAD_STORE_FAILED', undefined, { cause: error });
    }
    if (stored !== committed || detected !== record.detected) await commit();
  } finally {
    await lock.release();
  }
  if (lock.signal.aborted && stored < offset + length) return failure('LV_UPLOAD_LOCKED', `a newer request for this upload took it over at ${stored}`);
  return respond(204, { 'Upload-Offset': String(stored), ...expires(uploads, { ...owned, updated: Date.now() }) });
}

/**
 * The body until `signal` aborts. A stalled connection sends nothing, so waiting for its next
 * chunk is raced against the signal; a chunk that arrives after the signal is not passed on.
 */
async function* until(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  const stopped = new Promise<IteratorResult<Uint8Array>>((resolve) => {
    if (signal.aborted) resolve({ done: true, value: undefined });
    signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  for (;;) {
    const next = await Promise.race([iterator.next(), stopped]);
    if (next.done || signal.aborted) return;
    yield next.value;
  }
}

/**
 * Holds the body back until `need` bytes arrived, lets `check` see them (it throws to refuse),
 * then passes everything through. A body that ends sooner yields nothing: those bytes are not
 * acknowledged, and the client sends them again.
 */
async function* sniffed(body: AsyncIterable<Uint8Array>, need: number, check: (head: Uint8Array) => void): AsyncIterable<Uint8Array> {
  const held: Uint8Array[] = [];
  let have = 0;
  const iterator = body[Symbol.asyncIterator]();
  while (have < need) {
    const next = await iterator.next();
    if (next.done) return;
    held.push(next.value);
    have += next.value.byteLength;
  }
  check(Buffer.concat(held).subarray(0, need));
  yield* held;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

function integerHeader(request: TusRequest, name: string): number {
  const value = request.header(name);
  if (value === undefined || !/^\d{1,15}$/.test(value)) throw new LiveryError('LV_UPLOAD_BAD_REQUEST', `${name} must be a whole number`);
  return Number(value);
}

/** `Upload-Metadata: key base64,key2 base64` (values may be absent). */
function metadata(header: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) map.set(key, value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'));
  }
  return map;
}

function location(uploads: Uploads, claims: UploadClaims): string {
  return `${uploads.options.endpoint(claims.tenant)}/${claims.id}`;
}

function expires(uploads: Uploads, record: UploadRecord): Record<string, string> {
  return { 'Upload-Expires': new Date(record.updated + uploads.options.expireSeconds * 1000).toUTCString() };
}

function respond(status: number, headers: Record<string, string> = {}, body?: string): TusResponse {
  return { status, headers: { 'Tus-Resumable': TUS_VERSION, 'Cache-Control': 'no-store', ...headers }, body };
}

function failure(code: ErrorCode, detail?: string, status = statusOf(code)): TusResponse {
  const message = detail ? `${errors[code].message} (${detail})` : errors[code].message;
  const extra: Record<string, string> = code === 'LV_UPLOAD_VERSION' ? { 'Tus-Version': TUS_VERSION } : {};
  return respond(status, { 'Content-Type': 'application/json; charset=utf-8', 'Livery-Error': code, ...extra }, JSON.stringify({ code, message }));
}
