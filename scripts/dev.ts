/**
 * `npm run dev`: the example app, restarted on every change to server/, views/, templates/ or
 * the client bundle (Node's own --watch-path), with esbuild rebuilding the client on change.
 * Restarting is cheap (templates compile in milliseconds) and always correct: no stale module
 * graph, no half-reloaded view classes. Live tabs reconnect and resume their state.
 */
import { spawn } from 'node:child_process';
import { buildClient } from '../client/build.ts';

await buildClient({ watch: true });

const watched = ['server', 'views', 'templates', 'dist/client', 'app.ts'];
const app = spawn(process.execPath, [...watched.map((path) => `--watch-path=${path}`), '--watch-preserve-output', 'app.ts'], {
  stdio: 'inherit',
  env: { ...process.env, LIVERY_LOG_LEVEL: process.env.LIVERY_LOG_LEVEL ?? 'debug' },
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    app.kill(signal);
    process.exit(0);
  });
}
app.on('exit', (code) => process.exit(code ?? 0));
