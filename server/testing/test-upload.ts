/**
 * The test client's uploads (`view.upload(field, file)`): the browser client's protocol, spoken
 * from Node — the `lv:upload` offer over the socket, tus over HTTP to the grant's URL, progress and
 * `lv:upload-done` back over the socket.
 */
import http from 'node:http';
import { LiveryError } from '../errors.ts';
import { E_UPLOAD, E_UPLOAD_DONE, E_UPLOAD_PROGRESS, K_UPLOADS } from '../protocol/index.ts';
import type { UploadGrant } from '../uploads/index.ts';
import { TUS_CONTENT_TYPE, TUS_VERSION } from '../uploads/index.ts';

/** A PATCH answered 409 or 423 is retried (after a HEAD) this many times in a row, backing off from 50 ms. */
const CONFLICT_TRIES = 5;
const CONFLICT_BACKOFF_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The type the browser would declare (default ''). */
  readonly type?: string;
}

export interface TestUploadOptions {
  /** The `ref` of an earlier, interrupted upload of the same file: continue it. */
  readonly resume?: string;
  /**
   * Cut the connection once this many bytes of the file are stored on the server; no `done`.
   * With 0 the upload is created and no PATCH is sent.
   */
  readonly dropAfter?: number;
  /** Bytes per PATCH (default: the grant's). */
  readonly chunkBytes?: number;
}

export interface TestUploadResult {
  /** The upload's id (the entry's `ref`). */
  readonly ref: string;
  /** The refusal's code (`LV_UPLOAD_TYPE_REFUSED`, …), or undefined when the file was handled. */
  readonly error?: string;
  /** True when `dropAfter` cut the upload short. */
  readonly interrupted?: boolean;
  /** The upload's tus URL and token, for tests that speak tus themselves (undefined when refused at the offer). */
  readonly url?: string;
  readonly token?: string;
}

export interface UploadDriver {
  readonly port: number;
  /** Headers of the page's requests: cookie, and Host or tenant headers. */
  readonly headers: Record<string, string>;
  event(name: string, payload: Record<string, unknown>): Promise<{ error?: string; diff?: Record<string, unknown> }>;
}

export interface TusAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export async function runUpload(driver: UploadDriver, field: string, file: TestFile, options: TestUploadOptions): Promise<TestUploadResult> {
  const offered = await driver.event(E_UPLOAD, { field, files: [{ name: file.name, size: file.bytes.byteLength, type: file.type ?? '', resume: options.resume }] });
  if (offered.error !== undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `the upload offer was refused: ${offered.error}`);
  const grant = (offered.diff?.[K_UPLOADS] as Array<UploadGrant | { ref: string; error: string }> | undefined)?.[0];
  if (grant === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', 'the reply to the upload offer carried no grant');
  if ('error' in grant) return { ref: grant.ref, error: grant.error };
  const auth = { ...driver.headers, authorization: `Bearer ${grant.token}`, 'tus-resumable': TUS_VERSION };
  let url = grant.url;
  const refuse = async (answer: TusAnswer): Promise<TestUploadResult> => {
    const code = String(answer.headers['livery-error'] ?? 'LV_UPLOAD_STORE_FAILED');
    await driver.event(E_UPLOAD_PROGRESS, { ref: grant.ref, error: code });
    return { ref: grant.ref, error: code, url, token: grant.token };
  };
  let offset = 0;
  if (grant.exists) {
    const head = await tusRequest(driver.port, 'HEAD', url, auth);
    if (head.status !== 200) return refuse(head);
    offset = Number(head.headers['upload-offset']);
  } else {
    const metadata = `filename ${Buffer.from(file.name).toString('base64')},filetype ${Buffer.from(file.type ?? '').toString('base64')}`;
    const created = await tusRequest(driver.port, 'POST', url, { ...auth, 'upload-length': String(file.bytes.byteLength), 'upload-metadata': metadata });
    if (created.status !== 201) return refuse(created);
    url = String(created.headers.location);
  }
  const chunk = options.chunkBytes ?? grant.chunk;
  let conflicts = 0;
  // As the browser's client does: an empty file is created and done, with no PATCH.
  while (offset < file.bytes.byteLength) {
    const body = file.bytes.subarray(offset, Math.min(offset + chunk, file.bytes.byteLength));
    const headers = { ...auth, 'upload-offset': String(offset), 'content-type': TUS_CONTENT_TYPE };
    if (options.dropAfter !== undefined && offset + body.byteLength > options.dropAfter) {
      await patchThenDrop(driver.port, url, headers, body, options.dropAfter - offset, auth);
      return { ref: grant.ref, interrupted: true, url, token: grant.token };
    }
    const answer = await tusRequest(driver.port, 'PATCH', url, headers, body);
    if ((answer.status === 409 || answer.status === 423) && conflicts < CONFLICT_TRIES) {
      // As tus clients do: another request held the upload (423) or stored more than we knew
      // (409); wait a moment, ask where the upload stands and go on from there.
      await sleep(CONFLICT_BACKOFF_MS * 2 ** conflicts++);
      const head = await tusRequest(driver.port, 'HEAD', url, auth);
      if (head.status !== 200) return refuse(head);
      offset = Number(head.headers['upload-offset']);
      continue;
    }
    if (answer.status !== 204) return refuse(answer);
    conflicts = 0;
    offset = Number(answer.headers['upload-offset']);
    await driver.event(E_UPLOAD_PROGRESS, { ref: grant.ref });
  }
  const done = await driver.event(E_UPLOAD_DONE, { ref: grant.ref });
  return { ref: grant.ref, error: done.error, url, token: grant.token };
}

/** One tus request over node:http (fetch cannot set Host); the body, if any, in one write. */
export function tusRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Promise<TusAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(body?.byteLength ?? 0) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}

/**
 * Sends the first `keep` bytes of a PATCH whose Content-Length promises all of `body`, waits until
 * the server reports them stored (HEAD, on another connection), then destroys the connection.
 */
async function patchThenDrop(port: number, url: string, headers: Record<string, string>, body: Uint8Array, keep: number, auth: Record<string, string>): Promise<void> {
  if (keep === 0) return;
  const start = Number(headers['upload-offset']);
  const request = http.request({ host: '127.0.0.1', port, method: 'PATCH', path: url, headers: { ...headers, 'content-length': String(body.byteLength) } });
  request.on('error', () => {}); // destroyed on purpose
  request.write(Buffer.from(body.buffer, body.byteOffset, keep));
  // Progress is recorded every MiB: wait until all but that much of what was sent is stored.
  const want = start + Math.max(0, keep - 1024 * 1024);
  for (let tries = 0; ; tries++) {
    const head = await tusRequest(port, 'HEAD', url, auth);
    if (Number(head.headers['upload-offset']) >= want) break;
    if (tries > 1000) throw new LiveryError('LV_TEST_TIMEOUT', `the server stored ${String(head.headers['upload-offset'])} of ${want} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  request.destroy();
}
