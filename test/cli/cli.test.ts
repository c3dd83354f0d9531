/** The `livery` command's bad input (each a check id, a non-zero exit, nothing changed) and `livery new`. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const CLI = fileURLToPath(new URL('../../server/cli/livery.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'livery-cli-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

function livery(args: string[], options: { cwd?: string; node?: string; env?: NodeJS.ProcessEnv } = {}) {
  // Another Node: `env -u` drops the NODE_OPTIONS loaders tap adds to every child (Node 20 refuses them).
  const [command, prefix] = options.node ? ['env', ['-u', 'NODE_OPTIONS', options.node]] : [process.execPath, []];
  const result = spawnSync(command, [...prefix, CLI, ...args], { cwd: options.cwd ?? work, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout + result.stderr };
}

t.test('--help lists the commands', async (t) => {
  const { code, out } = livery(['--help']);
  t.equal(code, 0);
  for (const command of ['new <dir>', 'start [--workers N]', 'dev', 'migrate [--create <name>] [--seed]', 'build']) t.match(out, command);
});

t.test('livery.C027: an unknown command, flag or flag value', async (t) => {
  for (const args of [['serve'], ['start', '--port', '3'], ['migrate', '--create'], ['new'], ['build', 'extra']]) {
    const { code, out } = livery(args);
    t.equal(code, 2, args.join(' '));
    t.match(out, 'livery.C027', args.join(' '));
  }
  const app = join(work, 'workers');
  mkdirSync(app);
  writeFileSync(join(app, 'app.ts'), `import { defineApp } from ${JSON.stringify(new URL('../../server/index.ts', import.meta.url).href)};\nexport default defineApp({ name: 'x', routes: [] });\n`);
  const { code, out } = livery(['start', '--workers', '0'], { cwd: app });
  t.equal(code, 1);
  t.match(out, 'livery.C027: --workers must be a whole number');
});

t.test('livery.C025: no app.ts, or one that does not export defineApp', async (t) => {
  const empty = join(work, 'empty');
  mkdirSync(empty);
  let { code, out } = livery(['start'], { cwd: empty });
  t.equal(code, 1);
  t.match(out, 'livery.C025');
  t.match(out, 'no app.ts');
  const wrong = join(work, 'wrong');
  mkdirSync(wrong);
  writeFileSync(join(wrong, 'app.ts'), 'export const routes = [];\n');
  ({ code, out } = livery(['migrate'], { cwd: wrong }));
  t.equal(code, 1);
  t.match(out, 'does not `export default defineApp({ ... })`');
});

t.test('livery new scaffolds an app; a non-empty folder is refused untouched (livery.C028)', async (t) => {
  const app = join(work, 'todo-app');
  const made = livery(['new', app, '--livery', '0.1.0']);
  t.equal(made.code, 0, made.out);
  for (const file of ['app.ts', 'README.md', 'package.json', '.gitignore', '.npmrc', 'views/todos.ts', 'templates/todos.html', 'data/todo.ts', 'data/migrations/Migration20260101000000_todos.ts', 'test/todos.test.ts']) {
    t.ok(existsSync(join(app, file)), file);
  }
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  t.equal(pkg.dependencies.livery, '0.1.0');
  t.ok(pkg.dependencies.node, 'Node 22 comes with the app');
  t.match(readFileSync(join(app, 'app.ts'), 'utf8'), "name: 'todo-app'");
  const before = readdirSync(app).sort();
  const again = livery(['new', app]);
  t.equal(again.code, 1);
  t.match(again.out, 'livery.C028');
  t.same(readdirSync(app).sort(), before, 'nothing changed');
});

const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && spawnSync('env', ['-u', 'NODE_OPTIONS', path, '-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.startsWith('20.'));
t.test('on Node 20 the command re-runs itself on the `node` package, or explains (livery.C026)', { skip: oldNode ? false : 'no Node 20 on this machine' }, async (t) => {
  const help = livery(['--help'], { node: oldNode });
  t.equal(help.code, 0, help.out);
  t.match(help.out, 'Usage: livery');
  const refused = livery(['start'], { node: oldNode, env: { LIVERY_NODE_REEXEC: '1' } });
  t.equal(refused.code, 1);
  t.match(refused.out, 'livery.C026');
});
