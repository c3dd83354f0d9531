/**
 * File watching for the dev loop: Node's recursive `fs.watch` on each path, events from
 * dependency, VCS and Livery's own folders ignored, bursts (an editor's write + rename, a
 * formatter touching five files) collapsed into one call after a short quiet period.
 */
import { watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';

const IGNORED = /(^|[\\/])(node_modules|\.git|\.livery|\.tap)([\\/]|$)/;
const QUIET_MS = 80;

export interface Watcher {
  close(): void;
}

export function watchPaths(cwd: string, paths: readonly string[], onChange: (files: string[]) => void): Watcher {
  const watchers: FSWatcher[] = [];
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  for (const path of paths) {
    const root = resolve(cwd, path);
    let watcher: FSWatcher;
    try {
      watcher = watch(root, { recursive: true }, (_event, name) => {
        const file = name === null ? root : resolve(root, name.toString());
        const inside = file.slice(cwd.length + 1);
        if (IGNORED.test(inside) || /(^|[\\/])\.[^\\/]*\.sw.$|~$/.test(file)) return; // editor swap files
        pending.add(inside || file);
        clearTimeout(timer);
        timer = setTimeout(() => {
          const files = [...pending];
          pending = new Set();
          onChange(files);
        }, QUIET_MS);
      });
    } catch {
      continue; // a path that does not exist (yet): nothing to watch there
    }
    watcher.on('error', () => {}); // a watched directory removed: keep the others going
    watchers.push(watcher);
  }
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
