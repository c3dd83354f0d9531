/**
 * Bundles the browser client into one content-hashed script and a manifest the server reads to
 * serve it with a long-cache header.
 *
 *   npx node client/build.ts [--outdir dir]   build once; exits 1 over the size budget
 *   buildClient({ watch: true, onBuild })      rebuild on change (npm run dev)
 *
 * Output: `<outDir>/livery.<hash8>.js` (older bundles removed) and `<outDir>/manifest.json`
 * `{"file", "bytes", "gzipBytes"}`. The budget is on min+gzip, what a visitor downloads.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** 14.75 KB (D80: live components' trees and patching, after D79–D82 had filled 14.5 KB). */
export const CLIENT_BUDGET_GZIP_BYTES = 15_104;
export const DEFAULT_OUT_DIR = fileURLToPath(new URL('../dist/client/', import.meta.url));
const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
const BUNDLE_NAME = /^livery\.[0-9a-f]{8}\.js$/;

export interface ClientManifest {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuildClientOptions {
  watch?: boolean;
  outDir?: string;
  /** Called after every successful build (the first one too). */
  onBuild?: (manifest: ClientManifest) => void;
}

export interface ClientBuild {
  /** The latest build's manifest. */
  manifest: ClientManifest;
  /** Stops watching (a no-op for a one-off build). */
  close(): Promise<void>;
}

export async function buildClient(options: BuildClientOptions = {}): Promise<ClientBuild> {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const result: ClientBuild = { manifest: { file: '', bytes: 0, gzipBytes: 0 }, close: async () => {} };
  const ctx = await esbuild.context({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    write: false,
    logLevel: options.watch ? 'warning' : 'silent',
    plugins: [
      {
        name: 'livery-emit',
        setup(build) {
          build.onEnd(async (out) => {
            if (out.errors.length || !out.outputFiles?.length) return;
            result.manifest = await emit(outDir, out.outputFiles[0].contents);
            options.onBuild?.(result.manifest);
          });
        },
      },
    ],
  });
  try {
    await ctx.rebuild();
  } catch (err) {
    await ctx.dispose();
    throw err;
  }
  if (options.watch) {
    await ctx.watch();
    result.close = () => ctx.dispose();
  } else {
    await ctx.dispose();
  }
  return result;
}

/** Writes the bundle under its content hash, then the manifest, then removes older bundles. */
async function emit(outDir: string, code: Uint8Array): Promise<ClientManifest> {
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 8);
  const manifest: ClientManifest = {
    file: `livery.${hash}.js`,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
  await mkdir(outDir, { recursive: true });
  const manifestText = JSON.stringify(manifest) + '\n';
  // An unchanged build writes nothing: the dev loop restarts the app on every write here.
  const unchanged = (await readFile(join(outDir, 'manifest.json'), 'utf8').catch(() => '')) === manifestText;
  if (unchanged && (await stat(join(outDir, manifest.file)).then(() => true, () => false))) return manifest;
  // The manifest is written after the bundle, so a reader never sees a name it cannot serve; each
  // file is renamed into place, so a server starting during a rebuild (`npm pack` in a test
  // beside running servers) never reads half a file.
  await writeAtomically(join(outDir, manifest.file), code);
  await writeAtomically(join(outDir, 'manifest.json'), manifestText);
  for (const name of await readdir(outDir)) {
    if (BUNDLE_NAME.test(name) && name !== manifest.file) await rm(join(outDir, name), { force: true });
  }
  return manifest;
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--outdir');
  const outDir = at >= 0 ? argv[at + 1] : undefined;
  const { manifest } = await buildClient({ outDir });
  const kb = (n: number) => (n / 1024).toFixed(2) + ' KB';
  console.log(`client: ${manifest.file}  ${kb(manifest.bytes)} min, ${kb(manifest.gzipBytes)} min+gzip (budget ${kb(CLIENT_BUDGET_GZIP_BYTES)})`);
  if (manifest.gzipBytes <= CLIENT_BUDGET_GZIP_BYTES) return 0;
  console.error(`client: over the size budget by ${manifest.gzipBytes - CLIENT_BUDGET_GZIP_BYTES} bytes (min+gzip)`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
