import { createHash } from 'node:crypto';
import { LiveView, type Params, type UploadedFile } from '../server/index.ts';

interface Attachment {
  id: string;
  name: string;
  size: number;
  sizeText: string;
  type: string;
  sha256: string;
}

interface AttachmentsState {
  project: string;
  files: Attachment[];
}

/**
 * An attachment area (`/files`, and `/projects/:id/files` for one project): drop or pick files,
 * watch each upload's progress, cancel one, close the tab mid-upload and pick the same file again
 * to resume. Each finished file is listed with its SHA-256, computed from the uploaded bytes.
 */
export class AttachmentsView extends LiveView<AttachmentsState> {
  static template = 'attachments.html';
  static uploads = {
    attachment: { maxSize: 200 * 1024 * 1024, maxFiles: 4, accept: ['image/*', '.pdf', '.txt', '.md', '.csv', '.zip'] },
  };

  mount(params: Params): AttachmentsState {
    return { project: params.id ?? '', files: [] };
  }

  async handleUpload(_field: string, file: UploadedFile) {
    const hash = createHash('sha256');
    for await (const chunk of file.stream()) hash.update(chunk as Buffer);
    this.state.files.unshift({ id: file.id, name: file.name, size: file.size, sizeText: sizeText(file.size), type: file.type, sha256: hash.digest('hex') });
  }
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
