/**
 * `createServer`: a Fastify app on uWebSockets.js with Livery registered, its logger set up
 * from the configuration, and graceful shutdown on SIGTERM/SIGINT. `server/index.ts` exports it;
 * `server/app/` starts apps with it.
 */
import { serverFactory } from './http/uws-adapter/server.js';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { resolveConfig, type LiveryOptions } from './options/index.ts';
import { describeError } from './log/error-report.ts';
import { tellSupervisor } from './dev/report.ts';
import { prettyStream } from './log/pretty-stream.ts';
import { loggerOptions } from './log/index.ts';
import { fastifyTrustProxy } from './admission/index.ts';
import { livery } from './plugin.ts';

export interface LiveryServer {
  readonly app: FastifyInstance;
  /** Starts listening on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Graceful shutdown: stop accepting, save state, close sockets with 1001. */
  close(): Promise<void>;
}

export interface CreateServerOptions extends LiveryOptions {
  /** Shut down gracefully on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /** Where log lines go (default stdout): one JSON line per `write`, already redacted. */
  logStream?: { write(line: string): void };
}

export async function createServer(options: CreateServerOptions = {}): Promise<LiveryServer> {
  const { handleSignals = true, logStream, ...liveryOptions } = options;
  // Resolve once here for the logger level and listen address; the plugin validates the rest.
  const config = resolveConfig(liveryOptions);
  const app = Fastify({
    serverFactory,
    // The client address behind trusted proxies, as the live socket sees it (server/admission).
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Never a credential in a log line (server/log, docs/security.md); development prints readable
    // lines, production keeps pino's JSON for log shippers.
    logger: { ...loggerOptions(config.logLevel), ...(logStream !== undefined ? { stream: logStream } : config.logFormat === 'pretty' ? { stream: prettyStream() } : {}) },
    // Per-request lines only when debugging: a live app's traffic is on the socket anyway.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  });
  try {
    await app.register(livery, liveryOptions);
    // A path no route serves gets a 404 page in the app's layout (also where a navigation to one lands).
    app.setNotFoundHandler(app.livery.notFound);
    await app.ready();
  } catch (error) {
    // Under the dev loop the supervisor shows this in the browser while the app is down.
    if (config.dev !== undefined) tellSupervisor(config.dev.reportFd, { type: 'error', report: describeError(error, { baseDir: config.templatesDir }) });
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= app.close());

  return {
    app,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      if (handleSignals) installSignalHandlers(app, close, config.shutdownTimeoutMs);
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.port;
      if (config.dev !== undefined) tellSupervisor(config.dev.reportFd, { type: 'listening', port, host: config.host });
      return `http://${displayHost(config.host)}:${port}`;
    },
    close,
  };
}

/** A host for a URL: wildcard addresses become localhost, IPv6 literals get brackets. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function installSignalHandlers(app: FastifyInstance, close: () => Promise<void>, timeoutMs: number): void {
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
    // If saving state hangs (a dead backend), exit anyway: the supervisor is waiting.
    setTimeout(() => process.exit(1), timeoutMs).unref();
    close().then(() => process.exit(0), (error) => {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
