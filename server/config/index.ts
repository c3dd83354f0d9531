/**
 * What every folder may import (it imports nothing of Livery's but `errors.ts`): the
 * environment (`env.ts`) and the startup-check registry (`checks.ts`). The server's options and
 * their resolution live in `server/options/`.
 */
export { checks, failOn, formatProblem, StartupError, type CheckId, type Problem } from './checks.ts';
export * from './env.ts';
