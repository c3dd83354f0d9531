// Django's own tests for the tags Livery added with template inheritance (extends/block, cycle,
// resetcycle, firstof, ifchanged, now, widthratio, regroup, spaceless, templatetag, verbatim,
// lorem), ported into test/template/conformance/django-tag-cases.json. Every Django test of those
// files is either a case here or listed under "skipped" with the reason.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { formatDate, toDateParts } from '../../server/template/filters/date.ts';
import { createMemoryLoader, createScope, renderToString, TemplateDoesNotExist, TemplateSyntaxError, TemplateValueError } from '../../server/template/index.ts';

interface Case {
  source: string;
  templates: Record<string, string>;
  entry: string;
  context: Record<string, unknown>;
  autoescape: boolean;
  expected?: string;
  expected_now?: string;
  expected_count?: Record<string, number>;
  error?: string;
  error_message?: string;
}

const data = JSON.parse(readFileSync(new URL('./conformance/django-tag-cases.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  skipped: { source: string; reason: string }[];
};

const errorClasses: Record<string, new (...args: never[]) => Error> = { TemplateSyntaxError, TemplateDoesNotExist, ValueError: TemplateValueError };

function run(c: Case): string {
  const loader = createMemoryLoader(c.templates, { autoescape: c.autoescape, htmlChecks: false });
  return renderToString(loader.load(c.entry), createScope(c.context));
}

/** `{j} {n} {Y}` → today's values, formatted by the date filter's own characters. */
function today(pattern: string): string {
  const parts = toDateParts(new Date())!;
  return pattern.replace(/\{(.)\}/g, (_, c: string) => formatDate(parts, c));
}

t.ok(data.cases.length >= 150, `${data.cases.length} cases`);
const sources = new Set(data.cases.map((c) => c.source));
for (const s of data.skipped) {
  t.notOk(sources.has(s.source), `${s.source} is either run or skipped`);
  t.ok(s.reason.length > 20, `${s.source} says why it is skipped`);
}

let passed = 0;
for (const c of data.cases) {
  let output: string | undefined;
  let error: unknown;
  try {
    output = run(c);
  } catch (e) {
    error = e;
  }
  let ok: boolean;
  if (c.error !== undefined) {
    const cls = errorClasses[c.error];
    ok = error instanceof cls && (c.error_message === undefined || (error as Error).message.includes(c.error_message));
  } else if (output === undefined) {
    ok = false;
  } else if (c.expected_now !== undefined) {
    ok = output === today(c.expected_now);
  } else if (c.expected_count !== undefined) {
    ok = Object.entries(c.expected_count).every(([text, n]) => output.split(text).length - 1 === n);
  } else {
    ok = output === c.expected;
  }
  if (ok) passed++;
  else {
    t.fail(c.source, {
      templates: c.templates,
      context: c.context,
      expected: c.expected ?? c.expected_now ?? c.expected_count ?? `${c.error}: ${c.error_message ?? ''}`,
      got: output ?? String((error as Error)?.stack ?? error),
    });
  }
}
t.equal(passed, data.cases.length, 'every ported case matches Django');
t.comment(`tag conformance: ${passed} of ${data.cases.length} Django cases pass; ${data.skipped.length} skipped with reasons`);
