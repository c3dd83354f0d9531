/**
 * Upload fields as views declare them (`static uploads`), checked at startup (livery.C063), and
 * the shape the template sees: `uploads.<field>` in the view's state.
 */
import { acceptAttribute, validAcceptEntry } from './content-types.ts';
import type { UploadField, UploadFieldOptions, UploadFields } from './types.ts';

export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 1;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** One file of a field, as the template sees it (`{% for entry in uploads.avatar.entries %}`). */
export interface UploadEntry {
  /** The upload's id: what `lv-upload-cancel` and `lv-upload-preview` name. */
  ref: string;
  name: string;
  size: number;
  /** The type the browser declared. */
  type: string;
  /** 0–100: bytes stored on the server, not merely sent. */
  progress: number;
  /** True once `handleUpload` returned. */
  done: boolean;
  /** An error code (`LV_UPLOAD_TOO_LARGE`, …) or ''. */
  error: string;
}

/** `uploads.<field>` in a view's state. */
export interface UploadFieldState {
  entries: UploadEntry[];
  /** For the file input's `accept` attribute. */
  accept: string;
  maxFiles: number;
  maxSize: number;
}

export type UploadsState = Record<string, UploadFieldState>;

export function fieldOf(options: UploadFieldOptions): UploadField {
  return { maxSize: options.maxSize ?? DEFAULT_MAX_SIZE, maxFiles: options.maxFiles ?? DEFAULT_MAX_FILES, accept: [...options.accept] };
}

/** The state key every view with `static uploads` gets (so templates can render entries). */
export const UPLOADS_STATE_KEY = 'uploads';

export function initialUploadsState(fields: UploadFields): UploadsState {
  const state: UploadsState = {};
  for (const [name, options] of Object.entries(fields)) {
    const field = fieldOf(options);
    state[name] = { entries: [], accept: acceptAttribute(field.accept), maxFiles: field.maxFiles, maxSize: field.maxSize };
  }
  return state;
}

/** What is wrong with a view's `static uploads` (livery.C063), one line per problem. */
export function uploadFieldProblems(fields: unknown, hasHandler: boolean): string[] {
  if (fields === undefined) return [];
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return ['`static uploads` must map field names to { maxSize, maxFiles, accept }'];
  const problems: string[] = [];
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length > 0 && !hasHandler) problems.push('it declares uploads but has no handleUpload(field, file) method');
  for (const [name, raw] of entries) {
    const where = `upload field "${name}"`;
    if (!FIELD_NAME.test(name)) problems.push(`${where}: the name must be an identifier (letters, digits, _)`);
    if (raw === null || typeof raw !== 'object') {
      problems.push(`${where}: expected { maxSize, maxFiles, accept }`);
      continue;
    }
    const { maxSize, maxFiles, accept } = raw as Record<string, unknown>;
    if (maxSize !== undefined && !(Number.isSafeInteger(maxSize) && (maxSize as number) > 0)) problems.push(`${where}: maxSize must be a positive whole number of bytes`);
    if (maxFiles !== undefined && !(Number.isSafeInteger(maxFiles) && (maxFiles as number) > 0)) problems.push(`${where}: maxFiles must be a whole number ≥ 1`);
    if (!Array.isArray(accept) || accept.length === 0) problems.push(`${where}: accept must list the allowed types (e.g. ['image/*', '.pdf'], or ['*/*'] for any)`);
    else for (const entry of accept) if (!validAcceptEntry(entry)) problems.push(`${where}: accept entry ${JSON.stringify(entry)} is not a MIME type, type/*, */* or a known extension`);
  }
  return problems;
}
