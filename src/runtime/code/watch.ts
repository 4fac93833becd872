// Watches a set of files for hot reload. Directories are watched, not the files: editors save by
// writing a temporary file and renaming it over the original, which a watch on the old inode would
// miss from then on. Events are debounced, because one save produces several.

import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';

export interface FileWatcher {
  /** Replaces the watched files (the import graph changes as the user edits). */
  set(files: Iterable<string>): void;
  readonly files: ReadonlySet<string>;
  close(): void;
}

interface WatchOptions {
  debounceMs: number;
  /** Bound on files per watcher; beyond it the rest is not watched (warned once). */
  maxFiles: number;
  log: Logger;
  /** For messages: whose files these are. */
  label: string;
}

interface DirWatch {
  watcher: FSWatcher;
  names: Set<string>;
}

export function watchFiles(onChange: () => void, opts: WatchOptions): FileWatcher {
  const dirs = new Map<string, DirWatch>();
  let files = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let warnedTooMany = false;

  const fire = (): void => {
    timer = undefined;
    if (!closed) onChange();
  };
  const poke = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, opts.debounceMs);
  };

  const open = (dir: string): DirWatch | undefined => {
    try {
      // persistent: false — watching never keeps the process alive on its own.
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const d = dirs.get(dir);
        // Some platforms give no file name: then any change in the folder counts.
        if (d !== undefined && (name === null || d.names.has(name.toString()))) poke();
      });
      watcher.on('error', (e) => {
        opts.log.warn(`edgeproxy: ${opts.label}: stopped watching ${dir} for changes: ${e.message}`);
        watcher.close();
        dirs.delete(dir);
      });
      return { watcher, names: new Set() };
    } catch (e) {
      opts.log.warn(`edgeproxy: ${opts.label}: cannot watch ${dir} for changes: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };

  return {
    get files() {
      return files;
    },
    set(list) {
      if (closed) return;
      const wanted = [...new Set(list)];
      if (wanted.length > opts.maxFiles && !warnedTooMany) {
        warnedTooMany = true;
        opts.log.warn(`edgeproxy: ${opts.label}: imports ${wanted.length} local files; watching the first ${opts.maxFiles} only`);
      }
      files = new Set(wanted.slice(0, opts.maxFiles));
      const byDir = new Map<string, Set<string>>();
      for (const f of files) {
        const d = path.dirname(f);
        let names = byDir.get(d);
        if (names === undefined) {
          names = new Set();
          byDir.set(d, names);
        }
        names.add(path.basename(f));
      }
      for (const [dir, w] of dirs) {
        if (!byDir.has(dir)) {
          w.watcher.close();
          dirs.delete(dir);
        }
      }
      for (const [dir, names] of byDir) {
        let w = dirs.get(dir);
        if (w === undefined) {
          w = open(dir);
          if (w === undefined) continue;
          dirs.set(dir, w);
        }
        w.names = names;
      }
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const w of dirs.values()) w.watcher.close();
      dirs.clear();
    },
  };
}
