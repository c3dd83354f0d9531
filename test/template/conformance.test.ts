// Every case of Django's own template tests (test/template/conformance/, checked against Django
// itself) rendered with Livery. Cases Livery deliberately does not support are listed below with
// the reason, and must fail with a clear TemplateSyntaxError instead of rendering something.
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  createMemoryLoader,
  createScope,
  renderToString,
  TemplateDoesNotExist,
  TemplateSyntaxError,
  TemplateValueError,
} from '../../server/template/index.ts';

interface Case {
  source: string;
  templates: Record<string, string>;
  entry: string;
  context: Record<string, unknown>;
  autoescape: boolean;
  expected?: string;
  error?: string;
  error_message?: string;
}

const data = JSON.parse(readFileSync(new URL('./conformance/django-template-cases.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

/** source → why Livery does not support it, and a substring its TemplateSyntaxError must contain. */
const unsupported = new Map<string, { reason: string; message: string }>([]);

const errorClasses: Record<string, new (...args: never[]) => Error> = {
  TemplateSyntaxError,
  TemplateDoesNotExist,
  ValueError: TemplateValueError,
};

function run(c: Case): string {
  const loader = createMemoryLoader(c.templates, { autoescape: c.autoescape, htmlChecks: false });
  return renderToString(loader.load(c.entry), createScope(c.context));
}

function attempt(c: Case): { output: string } | { error: unknown } {
  try {
    return { output: run(c) };
  } catch (error) {
    return { error };
  }
}

t.equal(data.cases.length, 372, 'the data set has all 372 cases');

let passed = 0;
for (const c of data.cases) {
  const result = attempt(c);
  const skip = unsupported.get(c.source);
  if (skip !== undefined) {
    t.test(`unsupported: ${c.source}`, async (tt) => {
      tt.ok('error' in result && result.error instanceof TemplateSyntaxError, `fails with TemplateSyntaxError (${skip.reason})`);
      if ('error' in result) tt.match(String((result.error as Error).message), skip.message);
    });
    continue;
  }
  let ok: boolean;
  if (c.error !== undefined) {
    const cls = errorClasses[c.error];
    ok = 'error' in result && cls !== undefined && result.error instanceof cls && (c.error_message === undefined || (result.error as Error).message.includes(c.error_message));
  } else {
    ok = 'output' in result && result.output === c.expected;
  }
  if (ok) passed++;
  else {
    t.fail(c.source, {
      templates: c.templates,
      context: c.context,
      expected: c.expected ?? `${c.error}: ${c.error_message ?? ''}`,
      got: 'output' in result ? result.output : String((result.error as Error)?.stack ?? result.error),
    });
  }
}

t.equal(passed, data.cases.length - unsupported.size, 'every supported case matches Django');
t.comment(`conformance: ${passed} of ${data.cases.length} Django cases pass; ${unsupported.size} unsupported by design`);
