export { resolveConfig } from './resolve.ts';
export { checks, failOn, StartupError, type CheckId, type Problem } from './checks.ts';
export { ENVIRONMENT, type LiveryConfig, type LiveryOptions, type SocketOptions, type StateOptions } from './options.ts';
