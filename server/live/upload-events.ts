/**
 * The upload events a view receives from its page (`lv:upload`, `lv:upload-progress`,
 * `lv:upload-done`, `lv:upload-cancel`; docs/uploads.md). They run in the view's mailbox like any
 * handler — their state changes are rolled back if they throw — and change only
 * `state.uploads`, which the template renders. The tenant and session come from the socket
 * (UploadContext), never from the payload.
 */
import { randomBytes } from 'node:crypto';
import { errors, LiveryError } from '../errors.ts';
import { E_UPLOAD, E_UPLOAD_CANCEL, E_UPLOAD_DONE, E_UPLOAD_PROGRESS } from '../protocol/index.ts';
import { fieldOf, initialUploadsState, UPLOADS_STATE_KEY, type UploadContext, type UploadEntry, type UploadGrant, type Uploads, type UploadsState } from '../uploads/index.ts';
import type { LiveView, ViewClass } from '../view/live-view.ts';

/** A refused file's grant: the client shows nothing but the entry's error. */
export type Grant = UploadGrant | { readonly ref: string; readonly error: string };

const MAX_FILES_PER_OFFER = 100;

export function isUploadEvent(name: string): boolean {
  return name === E_UPLOAD || name === E_UPLOAD_PROGRESS || name === E_UPLOAD_DONE || name === E_UPLOAD_CANCEL;
}

/** Runs one upload event; an offer returns the grants for the reply's `u`. */
export async function uploadEvent(view: LiveView<object>, viewClass: ViewClass, uploads: Uploads | undefined, ctx: UploadContext, name: string, payload: unknown): Promise<Grant[] | undefined> {
  const declared = viewClass.uploads ?? {};
  if (uploads === undefined || Object.keys(declared).length === 0) throw new LiveryError('LV_EVENT_UNKNOWN', `"${name}": the view declares no uploads`);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new LiveryError('LV_EVENT_PAYLOAD_INVALID', 'expected an object');
  const p = payload as Record<string, unknown>;
  const state = view.state as Record<string, unknown>;
  const all = (state[UPLOADS_STATE_KEY] ??= initialUploadsState(declared)) as UploadsState;
  if (name === E_UPLOAD) return offer(uploads, ctx, viewClass, all, p);
  if (typeof p.ref !== 'string') throw new LiveryError('LV_EVENT_PAYLOAD_INVALID', 'ref');
  const found = entryOf(all, p.ref);
  if (found === undefined) throw new LiveryError('LV_UPLOAD_NOT_FOUND');
  const { field, entry, entries } = found;
  switch (name) {
    case E_UPLOAD_PROGRESS: {
      // A refusal the upload endpoint answered (the page reports it so the template can show it).
      if (p.error !== undefined) {
        entry.error = typeof p.error === 'string' && p.error.startsWith('LV_UPLOAD_') && p.error in errors ? p.error : 'LV_UPLOAD_STORE_FAILED';
        return undefined;
      }
      if (entry.done || entry.error !== '') return undefined;
      // Progress is what the server stored, not what the page says it sent.
      const record = await uploads.recordOf(ctx, field, entry.ref);
      entry.progress = Math.min(99, percent(record.offset, record.size));
      return undefined;
    }
    case E_UPLOAD_DONE: {
      if (entry.done) return undefined;
      const file = await uploads.complete(ctx, field, entry.ref);
      await view.handleUpload!(field, file);
      entry.done = true;
      entry.progress = 100;
      entry.error = '';
      // Handled: the bytes go (the sweeper would take them anyway if this fails).
      await uploads.discard(ctx.tenant.id, entry.ref).catch(() => {});
      return undefined;
    }
    default: {
      entries.splice(entries.indexOf(entry), 1);
      if (!entry.done && entry.error === '') {
        const record = await uploads.recordOf(ctx, field, entry.ref).catch(() => undefined);
        if (record !== undefined) await uploads.discard(ctx.tenant.id, record.id);
      }
      return undefined;
    }
  }
}

async function offer(uploads: Uploads, ctx: UploadContext, viewClass: ViewClass, all: UploadsState, p: Record<string, unknown>): Promise<Grant[]> {
  const fieldName = p.field;
  if (typeof fieldName !== 'string' || !Object.hasOwn(viewClass.uploads, fieldName)) throw new LiveryError('LV_UPLOAD_FIELD_UNKNOWN', typeof fieldName === 'string' ? fieldName.slice(0, 64) : undefined);
  if (!Array.isArray(p.files) || p.files.length > MAX_FILES_PER_OFFER) throw new LiveryError('LV_EVENT_PAYLOAD_INVALID', 'files');
  const field = fieldOf(viewClass.uploads[fieldName]);
  const state = (all[fieldName] ??= initialUploadsState({ [fieldName]: viewClass.uploads[fieldName] })[fieldName]);
  let active = state.entries.filter((e) => !e.done && e.error === '').length;
  const grants: Grant[] = [];
  for (const file of p.files as unknown[]) {
    if (file === null || typeof file !== 'object') throw new LiveryError('LV_EVENT_PAYLOAD_INVALID', 'files');
    const { name, size, type, resume } = file as Record<string, unknown>;
    const shown = { name: typeof name === 'string' ? name.slice(0, 255) : '', size: typeof size === 'number' && size >= 0 ? size : 0, type: typeof type === 'string' ? type.slice(0, 255) : '' };
    const resumed = typeof resume === 'string' && state.entries.some((e) => e.ref === resume && !e.done);
    try {
      if (!resumed && active >= field.maxFiles) throw new LiveryError('LV_UPLOAD_TOO_MANY_FILES');
      const { grant, offset } = await uploads.grant(ctx, fieldName, field, { name, size, type, resume });
      const entry: UploadEntry = { ref: grant.ref, ...shown, progress: Math.min(99, percent(offset, shown.size)), done: false, error: '' };
      const at = state.entries.findIndex((e) => e.ref === grant.ref);
      if (at >= 0) state.entries[at] = entry;
      else {
        state.entries.push(entry);
        active++;
      }
      grants.push(grant);
    } catch (error) {
      if (!(error instanceof LiveryError)) throw error;
      // A refused file still gets an entry, so the template can say why.
      const ref = `x${randomBytes(9).toString('base64url')}`;
      state.entries.push({ ref, ...shown, progress: 0, done: false, error: error.code });
      grants.push({ ref, error: error.code });
    }
  }
  return grants;
}

function entryOf(all: UploadsState, ref: string): { field: string; entry: UploadEntry; entries: UploadEntry[] } | undefined {
  for (const [field, state] of Object.entries(all)) {
    const entry = state.entries.find((e) => e.ref === ref);
    if (entry !== undefined) return { field, entry, entries: state.entries };
  }
  return undefined;
}

function percent(offset: number, size: number): number {
  return size === 0 ? 0 : Math.floor((offset * 100) / size);
}
