export { devSupervision, resolveConfig } from './resolve.ts';
export { checks, failOn, StartupError, type CheckId, type Problem } from './checks.ts';
export { ENVIRONMENT, type DevConfig, type LiveryConfig, type LiveryOptions, type LogFormat, type SocketOptions, type StateOptions } from './options.ts';
