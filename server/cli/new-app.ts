/**
 * `livery new <dir>`: scaffolds an app from ./template/ — app.ts, views/, templates/, data/
 * (one tenant-scoped entity with its migration and a development seed), a view test written
 * with livery/testing, a README — and its package.json. Writes only into a new or empty folder.
 * Loads nothing of the server, so it runs on any Node (see livery.js).
 */
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = fileURLToPath(new URL('./template/', import.meta.url));
const LIVERY_PACKAGE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../package.json' : '../../../package.json', import.meta.url));
/** npm leaves dotfiles like .gitignore out of a package, so the template stores them without the dot. */
const DOTFILES = ['gitignore', 'npmrc'];

export interface NewAppOptions {
  /** The livery dependency spec (a version, a tarball path…); default: this Livery's version. */
  livery?: string;
}

export function newApp(dir: string, options: NewAppOptions = {}): number {
  const target = resolve(dir);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    console.error(`livery.C028: ${target} exists and is not an empty folder; nothing was written.\n  hint: choose another folder name or empty this one.`);
    return 1;
  }
  const livery = JSON.parse(readFileSync(LIVERY_PACKAGE, 'utf8')) as { version: string; dependencies: Record<string, string> };
  const name = basename(target);
  cpSync(TEMPLATE, target, { recursive: true });
  for (const file of DOTFILES) renameSync(join(target, file), join(target, `.${file}`));
  for (const file of ['app.ts', 'README.md', 'views/index.ts', 'templates/home.html', 'data/seed.ts']) {
    const path = join(target, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('__APP_NAME__', name));
  }
  const pin = (dep: string) => livery.dependencies[dep];
  const pkg = {
    name: name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'),
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { start: 'livery start', dev: 'livery dev', test: 'node --test test/*.test.ts', migrate: 'livery migrate' },
    dependencies: {
      livery: dependencySpec(options.livery, livery.version),
      // The same versions Livery uses, for the app's own entities, migrations and event schemas.
      '@mikro-orm/core': pin('@mikro-orm/core'),
      '@mikro-orm/migrations': pin('@mikro-orm/migrations'),
      // Node 22 for the app: npm scripts put this package's binary first on PATH.
      node: pin('node'),
      zod: pin('zod'),
    },
    // npm 11 runs a dependency's install script only when the app allows it: `node` downloads its binary.
    allowScripts: { node: true },
  };
  writeFileSync(join(target, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const shown = relative(process.cwd(), target) || '.';
  console.log(`Created ${name} in ${target}.\n\n  cd ${shown}\n  npm install\n  npm start\n`);
  return 0;
}

/**
 * A tarball or folder given by path becomes an absolute `file:` spec, so the app's package.json
 * names it wherever the app is installed from; anything else (a version, a range) is kept.
 */
function dependencySpec(given: string | undefined, ownVersion: string): string {
  if (given === undefined) return ownVersion;
  const isPath = given.startsWith('.') || given.startsWith('/') || given.endsWith('.tgz');
  return isPath && !given.startsWith('file:') ? `file:${resolve(given)}` : given;
}
