// The layering of server/ and client/ (docs/design.md, "Layers"): every import of every file is
// parsed (type-only and dynamic ones too); no folder may import a folder of a higher layer, and
// no import cycle may join folders, whatever their layers.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';

const root = resolve(new URL('../../', import.meta.url).pathname);

/**
 * Lower layers first; a folder (or a file at server/'s root) may import its own layer and those
 * below. Same-layer imports are allowed as long as they form no cycle.
 */
export const LAYERS: readonly (readonly string[])[] = [
  // Leaves every folder may import: the wire format, the error and check registries, the
  // environment, Redis key names.
  ['server/protocol', 'server/errors.ts', 'server/keys.ts', 'server/config'],
  // Building blocks with no notion of a live view. The browser client sees only the protocol.
  ['server/template', 'server/diff', 'server/redis', 'server/log', 'server/metrics', 'server/scheduler', 'server/workers', 'server/signing', 'client'],
  // Beside live: the services a live view uses.
  ['server/data', 'server/session', 'server/state', 'server/pubsub', 'server/presence', 'server/tenancy', 'server/uploads'],
  // What an app writes: LiveView and routes.
  ['server/view'],
  // Join tokens (they carry a view's params) and the resolved options (they hold the routes).
  ['server/token', 'server/options'],
  // The live runtime: connections and mounted views; admission (client address, socket caps).
  ['server/live', 'server/admission'],
  // The edges: pages over HTTP, the live socket.
  ['server/http', 'server/socket'],
  // Assembly: the Fastify plugin, backends chosen from options, createServer, the dev loop's hooks.
  ['server/plugin.ts', 'server/backends.ts', 'server/server.ts', 'server/dev'],
  // On top: the public entry point, apps, the CLI, the test client.
  ['server/index.ts', 'server/app', 'server/cli', 'server/testing'],
];

const layerOf = new Map<string, number>();
LAYERS.forEach((units, i) => units.forEach((unit) => layerOf.set(unit, i)));

/** `server/live/connection.ts` → `server/live`; `server/errors.ts` → itself; `client/x.ts` → `client`. */
function unitOf(file: string): string {
  const parts = relative(root, file).split('/');
  if (parts[0] === 'client') return 'client';
  return parts.length === 2 ? `server/${parts[1].replace(/\.js$/, '.ts')}` : `server/${parts[1]}`;
}

function sources(): string[] {
  const out: string[] = [];
  for (const top of ['server', 'client']) {
    for (const e of readdirSync(join(root, top), { withFileTypes: true, recursive: true })) {
      const file = join(e.parentPath, e.name);
      // The `livery new` template is an app of its own, not part of the framework.
      if (e.isFile() && /\.ts$/.test(e.name) && !file.includes('/server/cli/template/')) out.push(file);
    }
  }
  return out;
}

/** Relative import specifiers: static imports and re-exports (type-only included) and dynamic imports. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    specs.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return specs;
}

type Edge = { from: string; to: string; file: string; spec: string };
const edges: Edge[] = [];
for (const file of sources()) {
  for (const spec of importsOf(readFileSync(file, 'utf8'))) {
    const from = unitOf(file);
    const to = unitOf(resolve(dirname(file), spec));
    if (from !== to) edges.push({ from, to, file: relative(root, file), spec });
  }
}

t.test('the parser sees imports of every form', async (t) => {
  const src = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/index.ts';",
    'import {\n  c,\n  d,\n} from "../c.ts";',
    "export { e } from './e.ts';",
    "export * from '../f.ts';",
    "import './side-effect.ts';",
    "const g = await import('../g.ts');",
    " * import { not } from './a-comment.ts' is not an import",
    "import x from 'node:fs';",
  ].join('\n');
  t.same(importsOf(src), ['./a.ts', '../b/index.ts', '../c.ts', './e.ts', '../f.ts', './side-effect.ts', '../g.ts']);
  t.ok(edges.length > 100, `${edges.length} imports between folders were found`);
});

t.test('every folder has a layer', async (t) => {
  const units = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const unit of units) t.ok(layerOf.has(unit), `${unit} is in LAYERS (add new folders to a layer and to docs/design.md)`);
});

t.test('no folder imports a higher layer', async (t) => {
  const upward = edges
    .filter((e) => (layerOf.get(e.to) ?? -1) > (layerOf.get(e.from) ?? Infinity))
    .map((e) => `${e.file} imports ${e.spec} (${e.from} → ${e.to})`);
  t.same(upward, []);
});

t.test('the browser client imports nothing of the server but the protocol', async (t) => {
  t.same(edges.filter((e) => e.from === 'client' && e.to !== 'server/protocol').map((e) => `${e.file} imports ${e.spec}`), []);
});

t.test('no import cycle joins folders', async (t) => {
  const next = new Map<string, Set<string>>();
  for (const e of edges) (next.get(e.from) ?? next.set(e.from, new Set()).get(e.from)!).add(e.to);
  // Tarjan's strongly connected components: any component of two or more folders is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  const explain = cycles.map((c) => c.join(' ↔ ') + ': ' + edges.filter((e) => c.includes(e.from) && c.includes(e.to)).map((e) => `${e.file} → ${e.spec}`).join('; '));
  t.same(explain, []);
});
