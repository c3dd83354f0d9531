/**
 * LiveViewJS 0.8.1 ships types, but its package.json `exports` hide them from `nodenext`
 * resolution. This declares the slice of its API the bench peer uses.
 */
declare module 'liveviewjs' {
  export interface LiveViewTemplate {
    toString(): string;
  }
  export interface LiveViewSocket<C> {
    context: C;
    assign(context: Partial<C>): void;
  }
  export interface LiveView {
    mount(socket: unknown, session: unknown, params: unknown): void | Promise<void>;
  }
  export function createLiveView<C, E extends { type: string } = { type: string }>(params: {
    mount?: (socket: LiveViewSocket<C>) => void;
    handleEvent?: (event: E, socket: LiveViewSocket<C>) => void;
    render: (context: C) => LiveViewTemplate;
  }): LiveView;
  export function html(strings: TemplateStringsArray, ...values: unknown[]): LiveViewTemplate;
  export function safe(value: unknown): LiveViewTemplate;
}

declare module '@liveviewjs/express' {
  import type { LiveView, LiveViewTemplate } from 'liveviewjs';
  import type { WebSocketServer } from 'ws';
  export class NodeExpressLiveViewServer {
    constructor(
      router: Record<string, LiveView>,
      pageTemplate: (title: unknown, csrfToken: string, content: LiveViewTemplate) => LiveViewTemplate,
      titleOptions: { title: string },
      options?: { serDeSigningSecret?: string },
    );
    httpMiddleware(): unknown;
    wsMiddleware(): (wss: WebSocketServer) => Promise<void>;
  }
}
