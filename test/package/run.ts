/** Shared by the package tests: run a command to completion, or start a server and read its URL. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Ran {
  code: number | null;
  output: string;
}

/**
 * tap's process tracking puts its loaders into NODE_OPTIONS of every child it sees spawned; the
 * system Node (20) that runs npm refuses them. `env -u` drops them after that point.
 */
const UNSET = ['-u', 'NODE_OPTIONS'];

/** Runs `command args` in `cwd`; resolves with its exit code and interleaved stdout+stderr. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('env', [...UNSET, command, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM to the whole process group (npm and the server under it); resolves on exit. */
  stop(): Promise<void>;
}

/**
 * Starts `npm start` in `cwd` in its own process group, resolving once it prints `<name>: <url>`
 * (rejecting with its output if it exits first).
 */
export function npmStart(cwd: string, name: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn('env', [...UNSET, 'npm', 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      // The line is pretty (development) or inside pino's JSON (production): the URL ends at a
      // space, a newline or a quote.
      const match = new RegExp(`${name}: (http://[^\\s"]+)[\\s"]`).exec(out);
      if (match) resolve({ child, url: match[1], output: () => out, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before listening:\n${out}`)));
  });
}

/**
 * An environment for a child app as a user's shell would give it: no npm_*, tap (TAP*,
 * NODE_OPTIONS loaders), Livery or database settings from the test run, and no PATH entry inside `root` (the checkout's Node 22), so the
 * app runs on what its own install brings.
 */
export function cleanEnv(root: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: (process.env.PATH ?? '').split(':').filter((dir) => !dir.startsWith(root)).join(':') };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('npm_') && !name.startsWith('TAP') && !name.startsWith('_TAPJS') && name !== 'NODE_OPTIONS' && !name.startsWith('LIVERY_') && !name.startsWith('DATABASE_') && name !== 'NODE_ENV' && name !== 'PORT' && name !== 'PATH') env[name] = value;
  }
  return { ...env, ...extra };
}
