/**
 * The dev loop on a copy of the fixture app (test/dev/fixtures/app) in a temporary directory,
 * run the way `livery dev` runs it: a separate process calling `runDev`, on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/app/', import.meta.url));
const FRAMEWORK = fileURLToPath(new URL('../../server/index.ts', import.meta.url));
const DEV = fileURLToPath(new URL('../../server/dev/index.ts', import.meta.url));

export interface DevApp {
  readonly dir: string;
  readonly port: number;
  readonly base: string;
  /** Everything the dev loop and the app printed so far (stdout and stderr). */
  output(): string;
  read(file: string): string;
  write(file: string, text: string): void;
  stop(): Promise<void>;
}

export async function startDevApp(): Promise<DevApp> {
  const dir = mkdtempSync(join(tmpdir(), 'livery-dev-'));
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'livery.ts'), `export * from ${JSON.stringify(FRAMEWORK)};\n`);
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e',
    `const { runDev } = await import(${JSON.stringify(DEV)}); await runDev({ childArgs: ['app.ts'], cwd: process.cwd() }); process.exit(0);`], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', NO_COLOR: '1', LIVERY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => { out += chunk; });
  child.stderr!.on('data', (chunk) => { out += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    dir,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    write: (file, text) => writeFileSync(join(dir, file), text),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `probe` holds; throws after `ms` (a bound for a test, not a timing assertion). */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
