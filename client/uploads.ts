/**
 * Uploads in the browser (docs/uploads.md): `lv-upload="field"` file inputs and
 * `lv-drop-target="field"` drop zones offer files to their view (`lv:upload`); the reply's grants
 * (`u`) start one tus upload per accepted file — a minimal tus 1.0.0 client (creation, HEAD,
 * PATCH in chunks, termination by the server on cancel) rather than tus-js-client, whose ~20 KB
 * gzipped would triple the bundle (D56). A dropped connection retries from the offset the
 * server reports; a reload resumes when the same file is picked again (its upload id is kept in
 * localStorage). Progress the template shows is what the server stored (`lv:upload-progress`).
 */
import {
  B_DROP_TARGET, B_UPLOAD, B_UPLOAD_CANCEL, B_UPLOAD_PREVIEW, C_DRAG_OVER,
  E_UPLOAD, E_UPLOAD_CANCEL, E_UPLOAD_DONE, E_UPLOAD_PROGRESS,
} from '../server/protocol/index.ts';
import type { BindingHost } from './bindings.ts';
import type { View } from './view.ts';

interface Grant {
  ref: string;
  url?: string;
  token?: string;
  exists?: boolean;
  chunk?: number;
  error?: string;
}

interface Job {
  xhr?: XMLHttpRequest;
  cancelled?: boolean;
  key: string;
}

/** Files offered, by the ref of the offer's event, until its reply brings the grants. */
const offers = new Map<number, { field: string; files: File[] }>();
const jobs = new Map<string, Job>();
const previews = new Map<string, string>();

const keyOf = (field: string, f: File) => `lv-upload:${field}:${f.name}:${f.size}:${f.lastModified}`;
const store = (): Storage | undefined => {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
};

export function bindUploads(host: BindingHost): void {
  const offer = (el: Element, field: string | null, files: FileList | null | undefined) => {
    const view = host.viewOf(el);
    if (!view || !field || !files?.length) return;
    const list = [...files];
    const ref = view.push(el, E_UPLOAD, { field, files: list.map((f) => ({ name: f.name, size: f.size, type: f.type, resume: store()?.getItem(keyOf(field, f)) ?? undefined })) });
    if (ref) offers.set(ref, { field, files: list });
  };
  document.addEventListener('change', (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute(B_UPLOAD)) return;
    offer(input, input.getAttribute(B_UPLOAD), input.files);
    input.value = ''; // picking the same file again (after a reload, to resume) fires change again
  });
  const zone = (e: Event) => (e.target instanceof Element ? e.target.closest(`[${B_DROP_TARGET}]`) : null);
  for (const type of ['dragover', 'dragleave', 'drop']) {
    document.addEventListener(type, (e) => {
      const el = zone(e);
      if (!el) return;
      e.preventDefault();
      el.classList.toggle(C_DRAG_OVER, type === 'dragover');
      if (type === 'drop') offer(el, el.getAttribute(B_DROP_TARGET), (e as DragEvent).dataTransfer?.files);
    });
  }
  document.addEventListener('click', (e) => {
    const el = e.target instanceof Element ? e.target.closest(`[${B_UPLOAD_CANCEL}]`) : null;
    const view = el && host.viewOf(el);
    const ref = el?.getAttribute(B_UPLOAD_CANCEL);
    if (!view || !ref) return;
    const job = jobs.get(ref);
    if (job) {
      job.cancelled = true;
      job.xhr?.abort();
      store()?.removeItem(job.key);
    }
    view.push(el, E_UPLOAD_CANCEL, { ref });
  });
}

/** The reply to an offer: start an upload per granted file. */
export function granted(view: View, ref: number, grants: Grant[]): void {
  const offer = offers.get(ref);
  offers.delete(ref);
  if (!offer) return;
  grants.forEach((grant, i) => {
    const file = offer.files[i];
    if (!file || grant.error || jobs.has(grant.ref)) return;
    if (file.type.startsWith('image/')) previews.set(grant.ref, URL.createObjectURL(file));
    void upload(view, offer.field, file, grant);
  });
  showPreviews(view.el);
}

/** `<img lv-upload-preview="{{ entry.ref }}">` shows the picked image (set again after each patch). */
export function showPreviews(root: Element): void {
  for (const img of root.querySelectorAll<HTMLImageElement>(`img[${B_UPLOAD_PREVIEW}]`)) {
    const url = previews.get(img.getAttribute(B_UPLOAD_PREVIEW) ?? '');
    if (url && img.getAttribute('src') !== url) img.src = url;
  }
}

async function upload(view: View, field: string, file: File, grant: Grant): Promise<void> {
  const job: Job = { key: keyOf(field, file) };
  jobs.set(grant.ref, job);
  store()?.setItem(job.key, grant.ref);
  const auth = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${grant.token}` };
  let url = grant.url as string;
  let created = !!grant.exists;
  let offset = -1; // unknown: ask (HEAD)
  let tries = 0;
  let reported = 0;
  while (!job.cancelled && offset < file.size) {
    let r: XMLHttpRequest | undefined;
    try {
      if (!created) {
        r = await request(job, 'POST', url, { ...auth, 'Upload-Length': String(file.size), 'Upload-Metadata': `filename ${b64(file.name)},filetype ${b64(file.type)}` });
        if (r.status === 201) {
          url = r.getResponseHeader('Location') as string;
          created = true;
          offset = 0;
          continue;
        }
      } else if (offset < 0) {
        r = await request(job, 'HEAD', url, auth);
        if (r.status === 200) offset = Number(r.getResponseHeader('Upload-Offset'));
      } else {
        r = await request(job, 'PATCH', url, { ...auth, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }, file.slice(offset, offset + (grant.chunk as number)), () => {
          // While a chunk is on its way, let the view show the stored bytes now and then.
          if (Date.now() - reported < 1000) return;
          reported = Date.now();
          report(view, E_UPLOAD_PROGRESS, { ref: grant.ref }, false);
        });
        if (r.status === 204) {
          offset = Number(r.getResponseHeader('Upload-Offset'));
          tries = 0;
          report(view, E_UPLOAD_PROGRESS, { ref: grant.ref }, false);
        }
      }
      if (r.status >= 400 && r.status !== 409 && r.status !== 423 && r.status < 500) {
        // A refusal (type by content, quota, gone…): tell the view, which shows the entry's error.
        store()?.removeItem(job.key);
        jobs.delete(grant.ref);
        return report(view, E_UPLOAD_PROGRESS, { ref: grant.ref, error: r.getResponseHeader('Livery-Error') ?? 'LV_UPLOAD_STORE_FAILED' }, true);
      }
      if (r.status < 300) continue;
    } catch {
      // network: retry below
    }
    if (created) offset = -1; // ask where the upload stands before sending more
    await sleep(Math.random() * Math.min(10_000, 250 * 2 ** tries++));
  }
  if (job.cancelled) return;
  store()?.removeItem(job.key);
  jobs.delete(grant.ref);
  report(view, E_UPLOAD_DONE, { ref: grant.ref }, true);
}

/** Sends an upload event; one that must arrive (done, a refusal) waits for the socket to be back. */
function report(view: View, event: string, payload: Record<string, unknown>, mustArrive: boolean): void {
  if (view.push(view.el, event, payload) || !mustArrive) return;
  setTimeout(() => report(view, event, payload, true), 500);
}

function request(job: Job, method: string, url: string, headers: Record<string, string>, body?: Blob, onProgress?: () => void): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = (job.xhr = new XMLHttpRequest());
    xhr.open(method, url);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => reject(new Error(method));
    if (onProgress) xhr.upload.onprogress = onProgress;
    xhr.send(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
