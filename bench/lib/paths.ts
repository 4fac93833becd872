// Where things are. Child processes always run the built bench (dist/bench/…), also when this
// module is loaded from source (vitest), because Node 20 cannot run .ts files directly.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  // dist/bench/lib → repo root is three levels up; from source (bench/lib, e.g. under vitest) two.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    dir = dirname(dir);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`bench: cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
}

export const REPO_ROOT = findRepoRoot();
/** The bench's edge functions stay as written (.mjs), not compiled: they are user code to edgeproxy. */
export const FUNCTIONS_DIR = join(REPO_ROOT, 'bench', 'functions');
export const DEFAULT_JSON = join(REPO_ROOT, 'bench', 'results', 'latest.json');

/** Absolute path of a built bench script, e.g. benchScript('servers/limit.js'). */
export function benchScript(rel: string): string {
  return join(REPO_ROOT, 'dist', 'bench', rel);
}
