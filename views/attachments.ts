import { createHash } from 'node:crypto';
import { LiveView, type UploadedFile } from '../server/index.ts';

/** The upload field of `/files` and of a project's page: up to 4 files at once, 200 MB each, these types. */
export const ATTACHMENT_UPLOADS = {
  attachment: { maxSize: 200 * 1024 * 1024, maxFiles: 4, accept: ['image/*', '.pdf', '.txt', '.md', '.csv', '.zip'] },
};

interface Attachment {
  id: string;
  name: string;
  size: number;
  sizeText: string;
  type: string;
  sha256: string;
}

interface AttachmentsState {
  files: Attachment[];
}

/**
 * `/files`, a scratch area for uploads: drop or pick files, watch each upload's progress, cancel
 * one, close the tab mid-upload and pick the same file again to resume. Each finished file is
 * listed (in this tab only) with its SHA-256, computed from the uploaded bytes. A project's page
 * keeps its files (`project.ts`).
 */
export class AttachmentsView extends LiveView<AttachmentsState> {
  static template = 'attachments.html';
  static uploads = ATTACHMENT_UPLOADS;

  mount(): AttachmentsState {
    return { files: [] };
  }

  async handleUpload(_field: string, file: UploadedFile) {
    const hash = createHash('sha256');
    for await (const chunk of file.stream()) hash.update(chunk as Buffer);
    this.state.files.unshift({ id: file.id, name: file.name, size: file.size, sizeText: sizeText(file.size), type: file.type, sha256: hash.digest('hex') });
  }
}

/** A byte count as people read it: `512 B`, `1.5 KB`, `20.0 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
