// Where $LATEST builds live: one folder per function under stateDir/build, content-addressed files
// (a worker still starting on the previous build never reads a half-written one), the newest few kept.

import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedFunction } from '../../config/types.js';
import { type BuildOutput, type BuildRequest, type ModuleFormat, outputExtension } from './build.js';

/** Compiled $LATEST builds kept per function; older ones are deleted (workers load them at start only). */
const BUILDS_KEPT = 5;

/** What a build is for: the function, its module format and its build folder. */
export interface BuildTarget {
  readonly fn: ResolvedFunction;
  readonly format: ModuleFormat;
  readonly buildDir: string;
}

/** For .ts: the compile; for .js: a bundle of the local graph (its inputs, hash and snapshot). */
export function latestRequest(t: BuildTarget, root: string): BuildRequest {
  const base = path.basename(t.fn.file).replace(/\.[^.]+$/, '');
  return { entry: t.fn.file, format: t.format, kind: 'latest', outfile: path.join(t.buildDir, `${base}${outputExtension(t.format)}`), root };
}

function buildPath(t: BuildTarget, out: BuildOutput): string {
  const base = path.basename(t.fn.file).replace(/\.[^.]+$/, '');
  return path.join(t.buildDir, `${base}-${out.sha256.slice(0, 16)}${outputExtension(t.format)}`);
}

export function writeBuildSync(t: BuildTarget, out: BuildOutput): string {
  const file = buildPath(t, out);
  mkdirSync(t.buildDir, { recursive: true });
  writeFileSync(file, out.code);
  pruneBuilds(t, file);
  return file;
}

export async function writeBuild(t: BuildTarget, out: BuildOutput): Promise<string> {
  const file = buildPath(t, out);
  await mkdir(t.buildDir, { recursive: true });
  await writeFile(file, out.code);
  return file;
}

/** Keeps the newest BUILDS_KEPT builds (the serving one always), so edit loops do not fill the disk. */
export function pruneBuilds(t: BuildTarget, keep: string): void {
  try {
    const files = readdirSync(t.buildDir)
      .map((name) => path.join(t.buildDir, name))
      .filter((f) => f !== keep)
      .map((f) => ({ f, t: statSync(f).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of files.slice(BUILDS_KEPT - 1)) unlinkSync(f);
  } catch {
    // Pruning is housekeeping: another process may have removed the same file.
  }
}
