/**
 * The supervised process's side of the channel to the dev supervisor: one JSON object per line
 * on a pipe the supervisor opened (its file descriptor is in `config.dev.reportFd`). Writes are
 * synchronous so a report made just before `process.exit` is never lost.
 */
import { writeSync } from 'node:fs';
import type { DevErrorReport } from '../protocol/index.ts';

export type SupervisorMessage =
  | { readonly type: 'error'; readonly report: DevErrorReport }
  | { readonly type: 'listening'; readonly port: number; readonly host: string };

export function tellSupervisor(fd: number | undefined, message: SupervisorMessage): void {
  if (fd === undefined) return;
  try {
    writeSync(fd, JSON.stringify(message) + '\n');
  } catch {
    // The supervisor is gone; nothing to tell.
  }
}
