// The code registry (docs/cloudfront-reference.md §9.1; docs/versions.md): which build of a function an invocation runs.
// $LATEST follows the file on disk (TypeScript compiled with esbuild, hot reload on edits); published
// versions are immutable bundles under stateDir/versions; aliases pick a version per invocation by
// weight. Everything is prepared at start or on a file change: resolve() is two map lookups.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { functionCodeSettings } from '../config/resolve/functions.js';
import type { ResolvedConfig, ResolvedFunction } from '../config/types.js';
import { ConfigError } from '../config/errors.js';
import { EVENT_TYPES } from '../event/types.js';
import type { Logger } from '../log.js';
import { build, BuildError, type BuildOutput, buildSync, isTypeScript, type ModuleFormat, moduleFormat, outputExtension } from './code/build.js';
import { latestRequest, pruneBuilds, writeBuild, writeBuildSync } from './code/builds.js';
import { verifyLoads } from './code/verify.js';
import { displayPath } from './load-diagnosis.js';
import { commitVersion, functionDirName, type PublishedVersion, readVersions, versionDir } from './code/versions.js';
import { type FileWatcher, watchFiles } from './code/watch.js';
import { type CodeRef, LATEST, type LocalCodeSource, PublishError, type VersionInfo } from './code-types.js';
import { type Unversioned, unversionedNote } from './code/unversioned.js';
import { lambdaEnv, staticContext } from './identity.js';
import { INIT_TIMEOUT_MS } from './slot.js';

export { type CodeRef, type CodeSource, type LocalCodeSource, PublishError, type PublishErrorCode, type VersionInfo } from './code-types.js';

interface CodeSourceOptions {
  config: ResolvedConfig;
  log: Logger;
  /** Project-local state folder, e.g. `<cwd>/.edgeproxy` (git-ignorable; docs/versions.md). */
  stateDir: string;
  /** Hot reload of $LATEST; false for tests of other parts and CI. */
  watch: boolean;
  /** Draws an alias's version (docs/cloudfront-reference.md §9.1: per invocation, at random by weight). Default Math.random. */
  random?: () => number;
  /** Quiet time after the last file event before a reload (ms). */
  debounceMs?: number;
  /**
   * Log one info line at start when associations run $LATEST or an alias, which CloudFront refuses
   * (docs/cloudfront-reference.md §3.9). The CLI asks for it; the programmatic API stays quiet.
   */
  noteUnversioned?: boolean;
}

const DEFAULT_DEBOUNCE_MS = 100;
/** Bound on files watched per function (its local import graph). */
const MAX_WATCHED_FILES = 500;

interface AliasRoute {
  primary: CodeRef;
  additional: CodeRef | undefined;
  /** Share of invocations for `additional`. */
  weight: number;
}

/** One function's code: its $LATEST, versions and aliases, and its reload state. */
interface FunctionCode {
  readonly fn: ResolvedFunction;
  readonly configPath: string;
  readonly format: ModuleFormat;
  readonly ts: boolean;
  /** Folder of compiled $LATEST builds (TypeScript only). */
  readonly buildDir: string;
  latest: CodeRef;
  /** Hash of the build $LATEST serves (for .js: of a bundle of its local graph); undefined when unknown. */
  latestSha: string | undefined;
  /** Local files of the start-up build, so watching does not build twice. */
  startInputs: readonly string[] | undefined;
  /** .js only: the start-up bundle, written as the first snapshot when watching starts. */
  startBuild: BuildOutput | undefined;
  /**
   * .js only: a bundle of the code $LATEST last loaded successfully. After a save that does not load,
   * $LATEST points here, so a worker started then (cold start, scale-up) runs the previous code
   * rather than the broken file on disk (docs/versions.md).
   */
  snapshot: string | undefined;
  readonly versions: Map<string, CodeRef>;
  readonly infos: Map<string, PublishedVersion>;
  readonly aliases: Map<string, AliasRoute>;
  watcher: FileWatcher | undefined;
  reloading: Promise<void> | undefined;
  pending: boolean;
  /** The last reload error logged, so saving the same broken file twice logs it once. */
  lastError: string | undefined;
  stopCheck: (() => void) | undefined;
  publishing: Promise<unknown>;
}

function versionRef(functionId: string, v: PublishedVersion): CodeRef {
  // A version never changes: generation 0 for its whole life.
  return Object.freeze({ functionId, version: v.version, file: v.path, exportName: v.exportName, generation: 0 });
}

function publishedList(fc: FunctionCode): string {
  const list = [...fc.infos.keys()];
  return list.length === 0 ? `published: none; run "edgeproxy publish ${fc.fn.id}"` : `published: ${list.join(', ')}`;
}

class Registry implements LocalCodeSource {
  private readonly fns = new Map<string, FunctionCode>();
  private readonly log: Logger;
  private readonly stateDir: string;
  /** absWorkingDir of every build: paths inside outputs and hashes do not depend on the cwd. */
  private readonly root: string;
  private readonly random: () => number;
  private readonly debounceMs: number;
  private closed = false;

  constructor(private readonly opts: CodeSourceOptions) {
    this.log = opts.log;
    this.stateDir = path.resolve(opts.stateDir);
    this.root = path.dirname(this.stateDir);
    this.random = opts.random ?? Math.random;
    this.debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  // ---- start ---------------------------------------------------------------------------------

  start(): void {
    const problems: string[] = [];
    for (const fn of this.opts.config.functions.values()) {
      // CloudFront Functions have no versions or builds: runtime/cff-host.ts loads and reloads them.
      if (fn.cff !== undefined) continue;
      const fc = this.prepare(fn, problems);
      if (fc !== undefined) this.fns.set(fn.id, fc);
    }
    const warnings = this.checkAssociations(problems);
    if (problems.length > 0) throw new ConfigError('FunctionLoadError', problems.join('\n'));
    if (warnings.length > 0 && this.opts.noteUnversioned === true) this.log.info(unversionedNote(warnings), { type: 'start', event: 'unversioned' });
    if (this.opts.watch) for (const fc of this.fns.values()) this.startWatching(fc);
  }

  private prepare(fn: ResolvedFunction, problems: string[]): FunctionCode | undefined {
    const { configPath, aliases } = functionCodeSettings(fn);
    const ts = isTypeScript(fn.file);
    const format = moduleFormat(fn.file);
    const fc: FunctionCode = {
      fn,
      configPath,
      format,
      ts,
      buildDir: path.join(this.stateDir, 'build', functionDirName(fn.id)),
      latest: Object.freeze({ functionId: fn.id, version: LATEST, file: fn.file, exportName: fn.exportName, generation: 1 }),
      latestSha: undefined,
      startInputs: undefined,
      startBuild: undefined,
      snapshot: undefined,
      versions: new Map(),
      infos: new Map(),
      aliases: new Map(),
      watcher: undefined,
      reloading: undefined,
      pending: false,
      lastError: undefined,
      stopCheck: undefined,
      publishing: Promise.resolve(),
    };
    if (ts) {
      try {
        const out = buildSync(latestRequest(fc, this.root));
        fc.latest = Object.freeze({ ...fc.latest, file: writeBuildSync(fc, out) });
        fc.latestSha = out.sha256;
        fc.startInputs = out.inputs;
      } catch (e) {
        problems.push(`${configPath}${configPath.startsWith('--') ? '' : '.file'}: ${displayPath(fn.file)} does not compile: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    } else if (existsSync(fn.file)) {
      // The same build a reload runs, so a syntax error is reported with the same file:line:column
      // at start as after a save. A missing file is the pool's to report ("does not exist").
      try {
        const out = buildSync(latestRequest(fc, this.root));
        fc.latestSha = out.sha256;
        fc.startInputs = out.inputs;
        fc.startBuild = out;
      } catch (e) {
        problems.push(`${configPath}${configPath.startsWith('--') ? '' : '.file'}: ${displayPath(fn.file)} failed to load: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    }
    for (const v of readVersions(this.stateDir, fn.id, this.log)) this.addVersion(fc, v);
    for (const alias of aliases.values()) {
      const at = `${configPath}.aliases.${alias.name}`;
      const primary = fc.versions.get(alias.version);
      if (primary === undefined) problems.push(`${at}.version: version ${alias.version} of "${fn.id}" is not published (${publishedList(fc)})`);
      let additional: CodeRef | undefined;
      if (alias.additional !== undefined) {
        additional = fc.versions.get(alias.additional.version);
        if (additional === undefined) {
          problems.push(`${at}.additionalVersionWeights.${alias.additional.version}: version ${alias.additional.version} of "${fn.id}" is not published (${publishedList(fc)})`);
        }
      }
      if (primary !== undefined) fc.aliases.set(alias.name, { primary, additional, weight: alias.additional?.weight ?? 0 });
    }
    return fc;
  }

  /**
   * Numbered versions in associations must exist; $LATEST and aliases work here but CloudFront
   * refuses them (docs/cloudfront-reference.md §3.9), so say so once per association.
   */
  private checkAssociations(problems: string[]): Unversioned[] {
    const warnings: Unversioned[] = [];
    this.opts.config.behaviors.forEach((b, i) => {
      for (const event of EVENT_TYPES) {
        const a = b.functions[event];
        if (a === undefined) continue;
        const fc = this.fns.get(a.functionId);
        if (fc === undefined) continue; // not prepared: its problem is already listed
        const at = `behaviors[${i}].functions.${event}`;
        const q = a.qualifier;
        if (q !== undefined && q !== LATEST && /^[0-9]+$/.test(q)) {
          if (!fc.versions.has(q)) problems.push(`${at}: version ${q} of "${fc.fn.id}" is not published (${publishedList(fc)})`);
          continue;
        }
        warnings.push({ at, functionId: fc.fn.id, qualifier: q === undefined || q === LATEST ? LATEST : q, newest: [...fc.infos.keys()].pop() });
      }
    });
    return warnings;
  }

  private addVersion(fc: FunctionCode, v: PublishedVersion): void {
    fc.infos.set(v.version, v);
    fc.versions.set(v.version, versionRef(fc.fn.id, v));
  }

  // ---- hot reload (docs/versions.md) -----------------------------------------------------------

  private startWatching(fc: FunctionCode): void {
    fc.watcher = watchFiles(() => this.scheduleReload(fc), {
      debounceMs: this.debounceMs,
      maxFiles: MAX_WATCHED_FILES,
      log: this.log,
      label: `function "${fc.fn.id}"`,
    });
    const inputs = fc.startInputs ?? [fc.fn.file];
    if (fc.startBuild !== undefined) fc.snapshot = writeBuildSync(fc, fc.startBuild);
    fc.startInputs = undefined;
    fc.startBuild = undefined;
    fc.watcher.set([fc.fn.file, ...inputs]);
  }

  private scheduleReload(fc: FunctionCode): void {
    if (this.closed) return;
    if (fc.reloading !== undefined) {
      fc.pending = true;
      return;
    }
    fc.reloading = this.reload(fc)
      .catch((e: unknown) => this.reloadFailed(fc, e instanceof Error ? e.message : String(e)))
      .finally(() => {
        fc.reloading = undefined;
        if (fc.pending) {
          fc.pending = false;
          this.scheduleReload(fc);
        }
      });
  }

  private async reload(fc: FunctionCode): Promise<void> {
    let out: BuildOutput;
    try {
      out = await build(latestRequest(fc, this.root));
    } catch (e) {
      this.reloadFailed(fc, e instanceof BuildError ? e.message : String(e));
      return;
    }
    if (this.closed) return;
    fc.watcher?.set([fc.fn.file, ...out.inputs]);
    if (out.sha256 === fc.latestSha) {
      // A save without a change, or a broken edit undone: the serving code is the code on disk.
      fc.lastError = undefined;
      if (!fc.ts && fc.latest.file !== fc.fn.file) fc.latest = Object.freeze({ ...fc.latest, file: fc.fn.file });
      return;
    }
    // .ts: workers load the build; .js: the file itself, and the bundle is kept as the snapshot.
    const built = await writeBuild(fc, out);
    const file = fc.ts ? built : fc.fn.file;
    if (this.closed) return;
    const check = verifyLoads(file, {
      exportName: fc.fn.exportName,
      // Lambda's init phase limit: a reload whose module takes longer to load is refused.
      timeoutMs: INIT_TIMEOUT_MS,
      memorySize: fc.fn.memorySize,
      // The environment a worker of this code gets (docs/cloudfront-reference.md §3.8).
      env: lambdaEnv(fc.fn, fc.latest, staticContext(fc.fn, LATEST)),
    });
    fc.stopCheck = check.stop;
    const r = await check.result;
    fc.stopCheck = undefined;
    if (this.closed) return;
    if (!r.ok) {
      this.reloadFailed(fc, `${displayPath(fc.fn.file)}: ${r.message}`);
      return;
    }
    fc.latestSha = out.sha256;
    fc.latest = Object.freeze({ ...fc.latest, file, generation: fc.latest.generation + 1 });
    fc.lastError = undefined;
    if (!fc.ts) fc.snapshot = built;
    pruneBuilds(fc, built);
    this.log.info(`edgeproxy: reloaded ${displayPath(fc.fn.file)} ("${fc.fn.id}" $LATEST, generation ${fc.latest.generation})`);
  }

  private reloadFailed(fc: FunctionCode, message: string): void {
    if (this.closed || message === fc.lastError) return;
    fc.lastError = message;
    // A .js $LATEST is the file on disk: point new workers at the last good code until a save loads.
    // Same generation: busy workers finish, warm ones of the old file are simply not picked again.
    if (!fc.ts && fc.snapshot !== undefined && fc.latest.file !== fc.snapshot) fc.latest = Object.freeze({ ...fc.latest, file: fc.snapshot });
    this.log.error(`edgeproxy: ${displayPath(fc.fn.file)} was not reloaded, "${fc.fn.id}" keeps serving the previous code: ${message}`);
  }

  // ---- the CodeSource contract ----------------------------------------------------------------

  resolve(functionId: string, qualifier: string | undefined): CodeRef {
    const fc = this.fns.get(functionId);
    if (fc === undefined) throw new Error(`edgeproxy: no code for function "${functionId}" (not in the configuration)`);
    if (qualifier === undefined || qualifier === LATEST) return fc.latest;
    const v = fc.versions.get(qualifier);
    if (v !== undefined) return v;
    const a = fc.aliases.get(qualifier);
    if (a !== undefined) return a.additional !== undefined && this.random() < a.weight ? a.additional : a.primary;
    throw new Error(`edgeproxy: function "${functionId}" has no version or alias "${qualifier}" (${publishedList(fc)})`);
  }

  reloadProblem(functionId: string): string | undefined {
    return this.fns.get(functionId)?.lastError;
  }

  candidates(functionId: string, qualifier: string | undefined): readonly CodeRef[] {
    const fc = this.fns.get(functionId);
    const alias = qualifier === undefined ? undefined : fc?.aliases.get(qualifier);
    if (alias === undefined) return [this.resolve(functionId, qualifier)];
    return alias.additional === undefined ? [alias.primary] : [alias.primary, alias.additional];
  }

  versions(functionId: string): readonly VersionInfo[] {
    const fc = this.known(functionId);
    return [...fc.infos.values()].map(({ version, sha256, createdAt, source, exportName }) => ({ version, sha256, createdAt, source, exportName }));
  }

  publish(functionId: string): Promise<{ version: string; created: boolean }> {
    let fc: FunctionCode;
    try {
      fc = this.known(functionId);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.closed) return Promise.reject(new PublishError('Closed', `cannot publish "${functionId}": the code registry is closed`));
    // One publish at a time per function: the second sees the first's version and compares with it.
    const run = fc.publishing.then(() => this.publishNow(fc));
    fc.publishing = run.catch(() => {});
    return run;
  }

  private known(functionId: string): FunctionCode {
    const fc = this.fns.get(functionId);
    if (fc !== undefined) return fc;
    const ids = [...this.fns.keys()];
    throw new PublishError('UnknownFunction', `unknown function "${functionId}" (${ids.length === 0 ? 'no functions are defined' : `defined: ${ids.map((i) => `"${i}"`).join(', ')}`})`);
  }

  private async publishNow(fc: FunctionCode): Promise<{ version: string; created: boolean }> {
    const id = fc.fn.id;
    // `edgeproxy publish` may have run beside this process: the disk is the truth for numbers.
    const onDisk = readVersions(this.stateDir, id, this.log);
    for (const v of onDisk) if (!fc.infos.has(v.version)) this.addVersion(fc, v);
    const latest = onDisk[onDisk.length - 1];
    const next = latest === undefined ? 1 : Number(latest.version) + 1;
    const file = `index${outputExtension(fc.format)}`;
    let out: BuildOutput;
    try {
      // Built for its final folder: the source map's relative paths are right for any number (same depth).
      out = await build({ entry: fc.fn.file, format: fc.format, kind: 'version', outfile: path.join(versionDir(this.stateDir, id, String(next)), file), root: this.root });
    } catch (e) {
      throw new PublishError('BuildFailed', `cannot publish "${id}": ${e instanceof Error ? e.message : String(e)}`);
    }
    // docs/cloudfront-reference.md §9.1: unchanged code (and handler) makes no new version.
    if (latest !== undefined && latest.sha256 === out.sha256 && latest.exportName === fc.fn.exportName) {
      return { version: latest.version, created: false };
    }
    const { version, created } = await commitVersion(
      this.stateDir,
      { functionId: id, sha256: out.sha256, source: fc.fn.file, file, exportName: fc.fn.exportName, format: fc.format },
      out.code,
      next,
    );
    this.addVersion(fc, version);
    // No log line here: the caller (admin listener, CLI) reports the outcome once.
    return { version: version.version, created };
  }

  async close(): Promise<void> {
    this.closed = true;
    const waits: Promise<unknown>[] = [];
    for (const fc of this.fns.values()) {
      fc.watcher?.close();
      fc.stopCheck?.();
      if (fc.reloading !== undefined) waits.push(fc.reloading);
      waits.push(fc.publishing);
    }
    await Promise.all(waits);
  }
}

/**
 * Builds the registry for a configuration: compiles TypeScript $LATEST, reads published versions
 * from `stateDir`, checks every alias and numbered association against them (ConfigError listing
 * each problem with its config path), and starts watching when `watch` is on.
 */
export function createCodeSource(opts: CodeSourceOptions): LocalCodeSource {
  const registry = new Registry(opts);
  registry.start();
  return registry;
}
