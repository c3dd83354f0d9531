/** Cell formatting shared by the terminal table and the Markdown summary. */
import type { Column, Goal, Row, Table, Value } from '../scenarios/types.ts';

export function formatValue(value: Value | undefined, digits = 0): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const STATUS_TEXT: Record<Row['status'], string> = {
  ok: '',
  'not-yet-available': 'not yet available',
  error: 'error',
  skipped: 'skipped',
};

/** An ok row's reason is a remark on its numbers (e.g. a load above the peer's capacity). */
export function rowNote(row: Row): string {
  if (row.status === 'ok') return row.reason ?? '';
  return row.reason ? `${STATUS_TEXT[row.status]}: ${row.reason}` : STATUS_TEXT[row.status];
}

/** Header and body cells of a table, the note column only when some row needs it. */
export function tableCells(table: Table): { header: string[]; body: string[][] } {
  const withNote = table.rows.some((r) => r.status !== 'ok' || r.reason !== undefined);
  const header = ['peer', ...table.columns.map((c: Column) => c.label), ...(withNote ? ['note'] : [])];
  const body = table.rows.map((row) => [
    row.peer,
    ...table.columns.map((c) => formatValue(row.values[c.key], c.digits)),
    ...(withNote ? [rowNote(row)] : []),
  ]);
  return { header, body };
}

const GOAL_MARK: Record<Goal['status'], string> = {
  met: 'MET',
  missed: 'MISSED',
  'not-yet-available': 'not yet available',
  'not-measured': 'not measured',
};

export function goalLine(goal: Goal): string {
  return `${GOAL_MARK[goal.status]} — ${goal.text}${goal.detail ? ` (${goal.detail})` : ''}`;
}
