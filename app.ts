/**
 * The example app: `npm start` serves it on embedded defaults (port 3000, PORT to change).
 */
import { createServer, StartupError } from './server/index.ts';
import { routes } from './views/index.ts';

try {
  const server = await createServer({ routes, layout: 'layout.html' });
  const url = await server.listen();
  server.app.log.info(`Livery example app: ${url}`);
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
