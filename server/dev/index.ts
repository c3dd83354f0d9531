/**
 * The dev loop: `runDev` supervises the app (restart on change, state kept across restarts,
 * errors in the browser). Everything else here is the app process's side of it, active only
 * when `config.dev` is set — never in production. See docs/development.md.
 */
export { runDev, type DevOptions } from './supervisor.ts';
export { describeError, codeFrame, type DevErrorReport } from '../log/error-report.ts';
