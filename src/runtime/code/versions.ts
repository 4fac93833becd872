// Published versions on disk (docs/cloudfront-reference.md §9.1): stateDir/versions/<function>/<n>/{index.mjs|index.cjs,
// manifest.json}. A version is written into a temporary folder and renamed into place, so a reader
// never sees half a version and two publishers (the proxy's admin listener and `edgeproxy publish`)
// cannot both take the same number.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { ModuleFormat } from './build.js';

interface VersionManifest {
  functionId: string;
  /** `"1"`, `"2"`… */
  version: string;
  /** Hex SHA-256 of the bundle file: publishing the same bundle again makes no new version. */
  sha256: string;
  /** ISO 8601. */
  createdAt: string;
  /** Absolute path of the entry file the version was built from. */
  source: string;
  /** The bundle's file name inside the version folder. */
  file: string;
  exportName: string;
  format: ModuleFormat;
}

export interface PublishedVersion extends VersionManifest {
  /** Absolute path of the bundle a worker imports. */
  path: string;
}

const MANIFEST = 'manifest.json';

/** Function ids are free-form (`auth.js:viewer-request` from flags): keep them one safe path segment. */
export function functionDirName(functionId: string): string {
  return encodeURIComponent(functionId).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length));
}

function versionsDir(stateDir: string, functionId: string): string {
  return path.join(stateDir, 'versions', functionDirName(functionId));
}

/** Where version `n` lives (also used as the build's outfile, so source-map paths match the final place). */
export function versionDir(stateDir: string, functionId: string, version: string): string {
  return path.join(versionsDir(stateDir, functionId), version);
}

function isManifest(v: unknown): v is VersionManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m['functionId'] === 'string' &&
    typeof m['version'] === 'string' &&
    typeof m['sha256'] === 'string' &&
    typeof m['createdAt'] === 'string' &&
    typeof m['source'] === 'string' &&
    typeof m['file'] === 'string' &&
    typeof m['exportName'] === 'string' &&
    (m['format'] === 'esm' || m['format'] === 'cjs')
  );
}

/**
 * Every complete version of a function, ascending. Synchronous: read at start and before each
 * publish, never per request. A folder that is not a complete version is skipped with a warning.
 */
export function readVersions(stateDir: string, functionId: string, log: Logger): PublishedVersion[] {
  const dir = versionsDir(stateDir, functionId);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: PublishedVersion[] = [];
  for (const name of names) {
    if (!/^[1-9][0-9]*$/.test(name)) continue; // .tmp-* folders of a publish in progress
    const where = path.join(dir, name);
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(path.join(where, MANIFEST), 'utf8'));
    } catch (e) {
      log.warn(`edgeproxy: ignoring ${where}: no readable ${MANIFEST} (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (!isManifest(manifest) || manifest.version !== name || manifest.functionId !== functionId || path.basename(manifest.file) !== manifest.file) {
      log.warn(`edgeproxy: ignoring ${where}: ${MANIFEST} does not describe version ${name} of "${functionId}"`);
      continue;
    }
    const file = path.join(where, manifest.file);
    if (!existsSync(file)) {
      log.warn(`edgeproxy: ignoring ${where}: its bundle ${manifest.file} is missing`);
      continue;
    }
    out.push({ ...manifest, path: file });
  }
  return out.sort((a, b) => Number(a.version) - Number(b.version));
}

/** Gives up after this many lost races for a number (another publisher keeps winning). */
const MAX_NUMBER_ATTEMPTS = 20;

/** The manifest in a version folder another publisher just wrote, if complete. */
function readManifest(dir: string): VersionManifest | undefined {
  try {
    const m: unknown = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
    return isManifest(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `code` as the next free version number ≥ `from`. The caller has compared the bundle with
 * the latest version it knew; when another publisher took the number meanwhile with the same code,
 * that version is returned with `created: false` (docs/cloudfront-reference.md §9.1: unchanged code makes no new version).
 */
export async function commitVersion(
  stateDir: string,
  manifest: Omit<VersionManifest, 'version' | 'createdAt'>,
  code: Uint8Array,
  from: number,
  now: Date = new Date(),
): Promise<{ version: PublishedVersion; created: boolean }> {
  const dir = versionsDir(stateDir, manifest.functionId);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    await writeFile(path.join(tmp, manifest.file), code);
    for (let n = from, attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; n++, attempt++) {
      const version = String(n);
      const full: VersionManifest = { ...manifest, version, createdAt: now.toISOString() };
      await writeFile(path.join(tmp, MANIFEST), `${JSON.stringify(full, null, 2)}\n`);
      const final = path.join(dir, version);
      if (!existsSync(final)) {
        try {
          // rename(2) of a directory fails when the target exists and is not empty: the number is taken.
          await rename(tmp, final);
          return { version: { ...full, path: path.join(final, manifest.file) }, created: true };
        } catch (e) {
          const errno = (e as { code?: unknown }).code;
          if (errno !== 'ENOTEMPTY' && errno !== 'EEXIST' && errno !== 'EPERM') throw e;
        }
      }
      const other = readManifest(final);
      if (other !== undefined && other.sha256 === manifest.sha256 && other.exportName === manifest.exportName && existsSync(path.join(final, other.file))) {
        return { version: { ...other, path: path.join(final, other.file) }, created: false };
      }
    }
    throw new Error(`could not find a free version number for "${manifest.functionId}" after ${MAX_NUMBER_ATTEMPTS} attempts in ${dir}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
