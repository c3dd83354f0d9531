/**
 * `npm run build` (and `npm pack`, through `prepack`): everything the published package ships.
 *
 *   dist/client/   the browser bundle (client/build.ts)
 *   dist/server/   the framework as JavaScript + .d.ts (tsc -p tsconfig.build.json), with the
 *                  `livery new` template and the vendored adapter's licence copied beside
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildClient } from '../client/build.ts';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

rmSync(root('dist/server'), { recursive: true, force: true });
const { manifest } = await buildClient();
console.log(`client: dist/client/${manifest.file}`);
execFileSync(process.execPath, [root('node_modules/typescript/bin/tsc'), '-p', root('tsconfig.build.json')], { stdio: 'inherit' });
cpSync(root('server/cli/template'), root('dist/server/cli/template'), { recursive: true });
cpSync(root('server/http/uws-adapter/LICENSE'), root('dist/server/http/uws-adapter/LICENSE'));
console.log('server: dist/server (JavaScript + .d.ts)');
