/**
 * Upload bytes in a local directory: `<dir>/<tenant>/<id>`, one file per upload, shared by the
 * processes of one machine (so a resumed upload may land on any of them).
 *
 * Paths are built only from a validated tenant slug and a validated id, and checked to stay
 * inside the tenant's directory: no client-supplied text (file names included) reaches a path.
 * Writes are positional (`pwrite` at the acknowledged offset) and awaited chunk by chunk, so the
 * request body is pulled only as fast as the disk takes it (backpressure through to uWS).
 */
import { createReadStream } from 'node:fs';
import { access, constants, copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { LiveryError } from '../errors.ts';
import type { UploadStore } from './types.ts';

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;

export class LocalUploadStore implements UploadStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The upload's file; throws for anything that is not a tenant slug and an upload id. */
  localPath(tenant: string, id: string): string {
    if (!TENANT.test(tenant) || !UPLOAD_ID.test(id)) throw new LiveryError('LV_UPLOAD_NOT_FOUND', 'malformed id');
    const tenantDir = join(this.dir, tenant);
    const path = join(tenantDir, id);
    // Belt and braces: the patterns above admit no separator or dot segment.
    if (!path.startsWith(tenantDir + sep)) throw new LiveryError('LV_UPLOAD_NOT_FOUND', 'malformed id');
    return path;
  }

  async create(tenant: string, id: string): Promise<void> {
    const path = this.localPath(tenant, id);
    await mkdir(join(this.dir, tenant), { recursive: true });
    await writeFile(path, '', { flag: 'wx' });
  }

  async write(tenant: string, id: string, offset: number, body: AsyncIterable<Uint8Array>, limit: number, onStored?: (length: number) => void | Promise<void>): Promise<number> {
    const file = await open(this.localPath(tenant, id), 'r+');
    let length = offset;
    try {
      for await (const chunk of body) {
        const room = offset + limit - length;
        const bytes = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
        let done = 0;
        while (done < bytes.byteLength) done += (await file.write(bytes, done, bytes.byteLength - done, length + done)).bytesWritten;
        length += bytes.byteLength;
        await onStored?.(length);
        if (bytes.byteLength < chunk.byteLength) break;
      }
    } finally {
      await file.close();
    }
    return length;
  }

  stream(tenant: string, id: string, size: number): Readable {
    return createReadStream(this.localPath(tenant, id), { start: 0, end: Math.max(0, size - 1) });
  }

  async moveTo(tenant: string, id: string, destination: string): Promise<void> {
    const from = this.localPath(tenant, id);
    try {
      await rename(from, destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(from, destination);
      await rm(from, { force: true });
    }
  }

  async remove(tenant: string, id: string): Promise<void> {
    await rm(this.localPath(tenant, id), { force: true });
  }

  async *stale(before: number): AsyncIterable<{ tenant: string; id: string }> {
    for (const tenant of await readdir(this.dir).catch(() => [] as string[])) {
      if (!TENANT.test(tenant)) continue;
      for (const id of await readdir(join(this.dir, tenant)).catch(() => [] as string[])) {
        if (!UPLOAD_ID.test(id)) continue;
        const info = await stat(join(this.dir, tenant, id)).catch(() => undefined);
        if (info !== undefined && info.mtimeMs < before) yield { tenant, id };
      }
    }
  }

  /** livery.C061: the directory can be created and written. */
  async check(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await access(this.dir, constants.W_OK | constants.X_OK);
    const probe = join(this.dir, `.probe-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  }
}
