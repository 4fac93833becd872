// esbuild for function code: compiles TypeScript for $LATEST, bundles published versions, and
// reports the local import graph that hot reload watches. Start-time and reload-time only; nothing
// here runs per request.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { displayPath } from '../load-diagnosis.js';

export type ModuleFormat = 'esm' | 'cjs';

/**
 * `$LATEST`: local imports bundled, packages left as imports (they resolve from the project's
 * node_modules, next to stateDir). `version`: everything bundled, so a version is an immutable
 * snapshot like a Lambda zip with its node_modules (docs/decisions.md).
 */
type BuildKind = 'latest' | 'version';

export interface BuildOutput {
  /** The module text, with an inline source map pointing at the user's files. */
  code: Uint8Array;
  /** Hex SHA-256 of `code`. */
  sha256: string;
  /** Absolute paths of the local files the entry imports, itself included (node_modules excluded). */
  inputs: string[];
}

/** A failed build, as one line: `functions/auth.ts:3:10: Expected ";" but found "x"`. */
export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

export function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/i.test(file);
}

export function outputExtension(format: ModuleFormat): '.mjs' | '.cjs' {
  return format === 'esm' ? '.mjs' : '.cjs';
}

/**
 * Node's rule for a module's type (and TypeScript's under `module: nodenext`): `.mjs/.mts` are ES
 * modules, `.cjs/.cts` CommonJS, `.js/.ts` follow the nearest package.json's `"type"`.
 */
export function moduleFormat(file: string): ModuleFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return 'cjs';
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const type = packageType(path.join(dir, 'package.json'));
    if (type !== undefined) return type === 'module' ? 'esm' : 'cjs';
    const up = path.dirname(dir);
    if (up === dir) return 'cjs';
    dir = up;
  }
}

/** `"module"`, `"commonjs"`, `""` for a package.json without "type", undefined when there is none. */
function packageType(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const pkg: unknown = JSON.parse(text);
    const type = typeof pkg === 'object' && pkg !== null && 'type' in pkg ? pkg.type : undefined;
    return typeof type === 'string' ? type : '';
  } catch {
    // Node fails on a broken package.json too; treating it as CommonJS lets the load report it.
    return '';
  }
}

export interface BuildRequest {
  entry: string;
  format: ModuleFormat;
  kind: BuildKind;
  /**
   * Where the output will live: the source map's relative paths are computed from it, and a
   * version's SHA-256 must not depend on where publish was run from.
   */
  outfile: string;
  /** Fixed base for relative paths inside the output (the project root), for reproducible hashes. */
  root: string;
}

// An ES module bundle that contains CommonJS packages calls require() (esbuild's __require shim);
// an ES module has none, so give it one, only when needed so the user's own `require` never clashes.
const ESM_REQUIRE_BANNER = "import { createRequire as __edgeproxyCreateRequire } from 'node:module'; const require = __edgeproxyCreateRequire(import.meta.url);";

function options(req: BuildRequest, banner: boolean): esbuild.BuildOptions & { write: false; metafile: true } {
  const o: esbuild.BuildOptions & { write: false; metafile: true } = {
    entryPoints: [req.entry],
    outfile: req.outfile,
    absWorkingDir: req.root,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0] ?? '20'}`,
    format: req.format,
    // Stack traces and error logs point at the user's own lines (docs/runtime.md); the worker enables
    // source maps. Without sourcesContent: Node needs only the mappings, and the hash stays on the code.
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
  };
  if (req.kind === 'latest') o.packages = 'external';
  if (banner) o.banner = { js: ESM_REQUIRE_BANNER };
  return o;
}

function needsRequireShim(req: BuildRequest, code: Uint8Array): boolean {
  return req.format === 'esm' && req.kind === 'version' && Buffer.from(code.buffer, code.byteOffset, code.byteLength).includes('Dynamic require of "');
}

function output(req: BuildRequest, result: esbuild.BuildResult<{ write: false; metafile: true }>): BuildOutput {
  const file = result.outputFiles[0];
  if (file === undefined) throw new BuildError(`${displayPath(req.entry)}: esbuild produced no output`);
  const inputs: string[] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    // Namespaced inputs (`<define:…>`, `data:…`) are not files; node_modules never change under a
    // running edit loop and can be huge.
    if (input.startsWith('<') || /^[a-z-]+:/i.test(input)) continue;
    const abs = path.resolve(req.root, input);
    if (abs.split(path.sep).includes('node_modules')) continue;
    inputs.push(abs);
  }
  return { code: file.contents, sha256: createHash('sha256').update(file.contents).digest('hex'), inputs };
}

/** esbuild's messages → one line naming the first error's file, line and column. */
function buildError(req: BuildRequest, e: unknown): BuildError {
  const errors = typeof e === 'object' && e !== null && 'errors' in e && Array.isArray(e.errors) ? (e.errors as esbuild.Message[]) : [];
  const first = errors[0];
  if (first === undefined) return new BuildError(`${displayPath(req.entry)}: ${e instanceof Error ? e.message : String(e)}`);
  const loc = first.location;
  const where = loc === null ? displayPath(req.entry) : `${displayPath(path.resolve(req.root, loc.file))}:${loc.line}:${loc.column + 1}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new BuildError(`${where}: ${first.text}${more}`);
}

/** Synchronous build, for start-up (createCodeSource is synchronous). Throws BuildError. */
export function buildSync(req: BuildRequest): BuildOutput {
  try {
    const first = output(req, esbuild.buildSync(options(req, false)));
    return needsRequireShim(req, first.code) ? output(req, esbuild.buildSync(options(req, true))) : first;
  } catch (e) {
    throw e instanceof BuildError ? e : buildError(req, e);
  }
}

/** Asynchronous build, for reloads and publishing. Rejects with BuildError. */
export async function build(req: BuildRequest): Promise<BuildOutput> {
  try {
    const first = output(req, await esbuild.build(options(req, false)));
    return needsRequireShim(req, first.code) ? output(req, await esbuild.build(options(req, true))) : first;
  } catch (e) {
    throw e instanceof BuildError ? e : buildError(req, e);
  }
}
