#!/usr/bin/env node
// The `livery` command. Plain JavaScript on purpose: it must start (and explain itself) on any
// Node, then hand over to Node 22. An app's `npm install` brings Node 22 as the `node` package;
// npm scripts and npx put it first on PATH, but a bare `livery` may still start on an older Node,
// so this re-runs itself with that Node 22 when it finds one (livery.C026 when it does not).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// A checkout runs the TypeScript sources; the installed package runs its built JavaScript.
const fromSource = existsSync(join(here, 'main.ts'));
const args = process.argv.slice(2);
// Scaffolding and help need nothing of Node 22 (in the built package), so `npx livery new` works anywhere.
const anyNode = !fromSource && (args[0] === 'new' || args[0] === undefined || args[0] === '--help' || args[0] === '-h' || args[0] === 'help');

const [major, minor] = process.versions.node.split('.').map(Number);
if ((major === 22 && minor >= 17) || anyNode) {
  const { main } = await import(fromSource ? './main.ts' : './main.js');
  process.exitCode = await main(args);
} else {
  // LIVERY_NODE_REEXEC: the Node found last time was not 22 either; explain rather than loop.
  const node22 = process.env.LIVERY_NODE_REEXEC ? undefined : findNode22();
  if (node22 === undefined) {
    console.error(
      `livery.C026: this is Node ${process.version} (${process.execPath}); Livery needs Node.js 22 (>= 22.17).\n` +
        `  hint: run \`npm install\` in the app (it installs Node 22 as the \`node\` package) and use\n` +
        `  \`npm start\` / \`npx livery …\`, which put that Node first; or install Node 22 yourself.`,
    );
    process.exit(1);
  }
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, LIVERY_NODE_REEXEC: '1', PATH: `${dirname(node22)}:${process.env.PATH ?? ''}` },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** The `node` package's binary, as seen from the app (the current directory), then from Livery itself. */
function findNode22() {
  for (const from of [join(process.cwd(), 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      const pkg = createRequire(from).resolve('node/package.json');
      const binary = join(dirname(pkg), 'bin', 'node');
      if (existsSync(binary)) return binary;
    } catch {
      // not installed from there
    }
  }
  return undefined;
}
