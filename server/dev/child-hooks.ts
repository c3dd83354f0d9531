/**
 * Preloaded (`node --import`) into the process the dev supervisor runs: any error that would end
 * the process — a syntax error in a view, a throw while importing the app, an unhandled
 * rejection — is reported to the supervisor before Node prints it and exits, so the browser can
 * show it. `uncaughtExceptionMonitor` observes without changing Node's own handling.
 */
import { devSupervision, isProduction } from '../config/env.ts';
import { describeError } from '../log/error-report.ts';
import { tellSupervisor } from './report.ts';

const dev = isProduction() ? undefined : devSupervision();
if (dev?.reportFd !== undefined) {
  const fd = dev.reportFd;
  process.on('uncaughtExceptionMonitor', (error) => tellSupervisor(fd, { type: 'error', report: describeError(error) }));
}
