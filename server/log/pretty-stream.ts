/**
 * Readable log lines for a developer's terminal, in place of pino's JSON (which production
 * keeps, for log shippers): `12:04:05.123 ERROR CartView.inc failed: LV_HANDLER_FAILED  view=CartView code=LV_HANDLER_FAILED`,
 * then the error's stack and, when the error points into the app's code, a code frame.
 *
 * A pino destination stream: pino hands `write` one JSON line per log call.
 */
import { describeError } from './error-report.ts';
import { noColor } from '../config/env.ts';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'], 20: ['DEBUG', '36'], 30: ['INFO ', '32'], 40: ['WARN ', '33'], 50: ['ERROR', '31'], 60: ['FATAL', '35'],
};
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'v']);

export interface LineSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export function prettyStream(out: LineSink = process.stdout): { write(line: string): void } {
  const color = out.isTTY === true && !noColor();
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatEntry(entry, paint) + '\n');
    },
  };
}

export function formatEntry(entry: Record<string, unknown>, paint: (code: string, text: string) => string = (_c, t) => t): string {
  const [label, code] = LEVELS[entry.level as number] ?? ['LOG  ', '0'];
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const head = `${paint('90', time)} ${paint(code, label)} ${String(entry.msg ?? '')}${fields.length ? '  ' + paint('90', fields.join(' ')) : ''}`;
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err === undefined || typeof err !== 'object') return head;
  const report = describeError(Object.assign(new Error(err.message ?? ''), err));
  const where = report.file === undefined ? '' : `\n    at ${report.file}:${report.line}:${report.column}`;
  const frame = report.frame === undefined ? '' : '\n' + indent(report.frame);
  return `${head}\n${indent(err.stack ?? err.message ?? '')}${where}${frame}`;
}

function indent(text: string): string {
  return text.split('\n').map((line) => '    ' + line).join('\n');
}
