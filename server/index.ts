/**
 * Livery's public surface.
 *
 * @example Standalone
 * ```ts
 * import { createServer, route } from 'livery';
 * const server = await createServer({ routes: [route('/cart', CartView)] });
 * await server.listen();
 * ```
 *
 * @example Inside an existing Fastify app
 * ```ts
 * import Fastify from 'fastify';
 * import { livery, serverFactory } from 'livery';
 * const app = Fastify({ serverFactory });
 * await app.register(livery, { routes });
 * await app.listen({ port: 3000 });
 * ```
 */
import { serverFactory } from './http/uws-adapter/server.js';
import { livery } from './plugin.ts';

export { serverFactory, livery };
export { createServer, type CreateServerOptions, type LiveryServer } from './server.ts';
export { LiveView, type Params, type Session, type EventSchemas, type TerminateReason } from './view/live-view.ts';
export { LiveComponent, type Attrs } from './view/live-component.ts';
export { JS, JsCommands, type CommandTarget, type TransitionOptions } from './view/js.ts';
export { route, type Route } from './view/routes.ts';
export { AsyncResult, type AsyncOutcome } from './view/async-result.ts';
export type { FieldErrors } from './view/field-errors.ts';
export { StartupError, checks } from './config/index.ts';
export { ENVIRONMENT, type LiveryOptions, type LiveryConfig } from './options/index.ts';
export { escapeHtml, type TemplateFilter, type TemplateFilterDeclaration, type TemplateFilterFunction, type TemplateFilters } from './template/index.ts';
export { errors, LiveryError, type ErrorCode } from './errors.ts';
export type { TagDefinition, TagDefinitions, TagFunction } from './template/index.ts';
export { defineApp, startApp, loadApp, type AppDefinition, type AppDatabase, type LiveryApp, type StartAppOptions } from './app/index.ts';
export { MemoryStateBackend, type StateBackend } from './state/index.ts';
export type { PresenceDiff, PresenceEntry, PresenceMeta } from './presence/index.ts';
export { loggerOptions } from './log/index.ts';
export { sessionTag } from './session/index.ts';
export { fastifyTrustProxy } from './admission/index.ts';
export { LocalUploadStore, type UploadedFile, type UploadEntry, type UploadFieldOptions, type UploadFields, type UploadStore } from './uploads/index.ts';
