/** What the overlay and the terminal show for an error: position, code frame, readable log lines. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { StartupError } from '../../server/index.ts';
import { codeFrame, describeError } from '../../server/dev/index.ts';
import { formatEntry } from '../../server/log/pretty-stream.ts';
import { createMemoryLoader } from '../../server/template/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'livery-error-report-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'page.html'), '<main>\n  <p>{{ a }}</p>\n  <p>{% if %}</p>\n</main>\n');

t.test('codeFrame: two lines either side, the line marked, a caret under the column', async (t) => {
  t.equal(codeFrame(join(dir, 'page.html'), 3, 6), [
    '  1 | <main>',
    '  2 |   <p>{{ a }}</p>',
    '> 3 |   <p>{% if %}</p>',
    '    |      ^',
    '  4 | </main>',
    '  5 | ',
  ].join('\n'));
  t.equal(codeFrame(join(dir, 'missing.html'), 1, 1), undefined, 'an unreadable file has no frame');
  t.equal(codeFrame(join(dir, 'page.html'), 99, 1), undefined, 'nor a line past the end');
});

t.test('a template error inside a StartupError is reported at its file, line and column', async (t) => {
  let compileError: unknown;
  try {
    createMemoryLoader({ 'page.html': '<main>\n  <p>{{ a }}</p>\n  <p>{% if %}</p>\n</main>\n' }).load('page.html');
  } catch (error) {
    compileError = error;
  }
  const startup = new StartupError([{ id: 'livery.C005', detail: (compileError as Error).message, error: compileError }]);
  const report = describeError(startup, { baseDir: dir });
  t.equal(report.title, 'Template error');
  t.equal(report.file, join(dir, 'page.html'), 'outside the working directory the path stays absolute');
  t.equal(report.line, 3);
  t.equal(report.column, 6);
  t.match(report.frame, '> 3 |   <p>{% if %}</p>');
});

t.test('a runtime error is placed at its first stack frame outside node_modules', async (t) => {
  const error = new Error('nope');
  error.stack = `Error: nope\n    at lib (file:///app/node_modules/x/index.js:1:1)\n    at CounterView.inc (file://${dir}/page.html:2:8)\n    at run (file:///app/server/x.ts:3:3)`;
  const report = describeError(error);
  t.match(report, { title: 'Error', message: 'nope', file: join(dir, 'page.html'), line: 2, column: 8, stack: /CounterView\.inc/ });
});

t.test('a syntax error is placed by Node\'s header and caret', async (t) => {
  const error = new SyntaxError('Expected \',\', got \'.\'');
  error.stack = `${dir}/page.html:3\n  <p>{% if %}</p>\n     ^\n\nSyntaxError: Expected ',', got '.'`;
  t.match(describeError(error), { title: 'SyntaxError', line: 3, column: 6, frame: /> 3 \|/ });
});

t.test('pretty log lines: time, level, message, fields; an error with its stack and code frame', async (t) => {
  const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  t.equal(formatEntry({ level: 30, time, pid: 1, hostname: 'h', msg: 'listening', port: 3000 }), '03:04:05.006 INFO  listening  port=3000');
  const line = formatEntry({
    level: 50, time, msg: 'view error', view: 'CounterView',
    err: { type: 'Error', message: 'boom', stack: `Error: boom\n    at CounterView.boom (file://${dir}/page.html:3:6)` },
  });
  t.match(line, /^03:04:05\.006 ERROR view error  view=CounterView\n    Error: boom\n/);
  t.match(line, '> 3 |   <p>{% if %}</p>', 'with the code frame');
});
