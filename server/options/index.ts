export { devSupervision, resolveConfig } from './resolve.ts';
export { ENVIRONMENT, LOG_LEVELS, type DevConfig, type LiveryConfig, type LiveryOptions, type LogFormat, type LogLevel, type SocketOptions, type StateOptions } from './options.ts';
