/**
 * The dev loop's hand-over of process-local state: when a supervised development process shuts
 * down for a restart, every live view has just been saved to the memory state backend; this
 * writes that backend and the memory session store to `.livery/dev-snapshot.json`, and the next
 * process loads them at startup (and deletes the file: it is consumed once). An open tab then
 * reconnects, rejoins with its token and finds its state, exactly as after a network blip.
 *
 * Only ever called when `config.dev` is set, which `resolveConfig` never does in production.
 * Shared backends (Redis) already outlive the process and are left alone.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MemorySessionStore, type SessionStore } from '../session/index.ts';
import { MemoryStateBackend, type StateBackend } from '../state/index.ts';

interface Snapshot {
  readonly version: 1;
  readonly state: ReturnType<MemoryStateBackend['dump']>;
  readonly sessions: ReturnType<MemorySessionStore['dump']>;
}

export interface SnapshotTarget {
  readonly state: StateBackend;
  readonly sessions: SessionStore;
}

/** Writes the memory backends' entries (atomically: a reader never sees half a file). */
export function writeSnapshot(file: string, target: SnapshotTarget): { views: number; sessions: number } {
  const snapshot: Snapshot = {
    version: 1,
    state: target.state instanceof MemoryStateBackend ? target.state.dump() : [],
    sessions: target.sessions instanceof MemorySessionStore ? target.sessions.dump() : [],
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(snapshot), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return { views: snapshot.state.length, sessions: snapshot.sessions.length };
}

/** Loads and deletes the snapshot; undefined when there is none (or it is unreadable). */
export function readSnapshot(file: string, target: SnapshotTarget): { views: number; sessions: number } | undefined {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
  if (snapshot.version !== 1) return undefined;
  if (target.state instanceof MemoryStateBackend) target.state.load(snapshot.state);
  if (target.sessions instanceof MemorySessionStore) target.sessions.load(snapshot.sessions);
  return { views: snapshot.state.length, sessions: snapshot.sessions.length };
}
