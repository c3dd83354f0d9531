/** Named groups of open sessions: a scenario opens a group once and runs several tasks on it. */
import type { Session } from './session.ts';

const groups = new Map<string, Session[]>();

export function setGroup(name: string, sessions: Session[]): void {
  groups.set(name, [...(groups.get(name) ?? []), ...sessions]);
}

export function group(name: string): Session[] {
  const sessions = groups.get(name);
  if (sessions === undefined || sessions.length === 0) throw new Error(`no open sessions in group "${name}"`);
  return sessions;
}

export function closeGroup(name: string): number {
  const sessions = groups.get(name) ?? [];
  for (const s of sessions) s.close();
  groups.delete(name);
  return sessions.length;
}

/** Error messages, deduplicated and capped: enough to explain a failure, never a flood. */
export class ErrorSample {
  messages: string[] = [];
  count = 0;

  add(err: unknown): void {
    this.count++;
    const msg = err instanceof Error ? err.message : String(err);
    if (this.messages.length < 5 && !this.messages.includes(msg)) this.messages.push(msg);
  }
}

export function sourceAddress(i: number, spread: boolean): string | undefined {
  return spread ? `127.0.0.${2 + (i % 50)}` : undefined;
}
