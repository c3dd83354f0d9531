/**
 * `npm run dev`: the example app under Livery's dev loop (server/dev): restarted on every change
 * to the framework, the app or the client bundle — open tabs keep their state, and errors show
 * in the browser — with esbuild rebuilding the client on change.
 */
import { buildClient } from '../client/build.ts';
import { runDev } from '../server/dev/index.ts';

await buildClient({ watch: true });
await runDev({
  childArgs: ['app.ts'],
  cwd: process.cwd(),
  watch: ['server', 'views', 'templates', 'dist/client', 'app.ts'],
});
process.exit(0);
