/**
 * Page fetches for drivers whose join needs a token rendered into the page (Livery, LiveViewJS).
 * A small keep-alive pool: page loads are setup, not the measured operation.
 */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface Page {
  status: number;
  html: string;
  /** `name=value` pairs from Set-Cookie, ready for a Cookie header. */
  cookie: string;
}

export function getPage(host: string, port: number, path: string, hostHeader?: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent, headers: { host: hostHeader ?? `${host}:${port}`, accept: 'text/html' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const cookies = res.headers['set-cookie'] ?? [];
        resolve({
          status: res.statusCode ?? 0,
          html: Buffer.concat(chunks).toString('utf8'),
          cookie: cookies.map((c) => c.split(';')[0]).join('; '),
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
