// Where a configuration comes from: a config file (.json or a JavaScript module's default export),
// a config object, or command-line flags alone (a one-behavior distribution). Also the flags that
// override a file's values. Nothing here validates the configuration itself: that is the schema's
// and the resolvers' job; this module only decides what raw input to validate and how to name it.

import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { jsonErrorOffset, lineColumn } from '../admin/json-error.js';
import { DEFAULT_CFF_RUNTIME } from './defaults.js';
import { ConfigError } from './errors.js';
import { EVENT_TYPES } from '../event/types.js';
import { mayIncludeBody } from '../rules/cloudfront.js';
import type { ConfigInput, ParsedConfig } from './schema.js';

export interface FlagOverrides {
  origin?: string;
  port?: number;
  host?: string;
  /** `FILE[#export]` for each trigger. */
  'viewer-request'?: string;
  'origin-request'?: string;
  'origin-response'?: string;
  'viewer-response'?: string;
  includeBody?: boolean;
  /** --cache-size */
  cacheSize?: number;
  /** --inspector */
  inspector?: boolean;
  /** --inspector-headers */
  inspectorHeaders?: boolean;
  /** --cache-policy: a managed cache policy name for the flags-only behavior. */
  cachePolicy?: string;
  /** --origin-request-policy: a managed origin request policy name, or null for none. */
  originRequestPolicy?: string | null;
  /** --cache-status: the RFC 9211 Cache-Status header. */
  cacheStatus?: boolean;
  /** --admin-port (on 127.0.0.1 unless the config names a host) */
  adminPort?: number;
  /** --lambda-port (the Lambda Invoke API listener, on 127.0.0.1 unless the config names a host) */
  lambdaPort?: number;
  prewarm?: boolean;
  logFormat?: 'text' | 'json';
  logLevel?: 'info' | 'warn' | 'error';
  accessLog?: string;
  /** --cff: the viewer-request / viewer-response files are CloudFront Functions. */
  cff?: boolean;
  /** --kvs FILE: a key value store (CloudFront's import format) for the flags' CloudFront Functions. */
  kvs?: string;
  /** --strict-cff: the CloudFront Functions feature check's warnings are errors. */
  strictCff?: boolean;
}

/**
 * A runtime comment on a function file's first line — `// cloudfront-js-2.0`, `/* runtime: cloudfront-js-1.0 *\/` —
 * makes a flag's file a CloudFront Function without `--cff` (docs/config.md, command-line flags).
 */
export const RUNTIME_COMMENT = /^\s*(?:\/\/|\/\*)\s*(?:runtime\s*[:=]\s*)?(cloudfront-js-[12]\.0)\b/;

function runtimeComment(file: string): 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | undefined {
  let first: string;
  try {
    first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  } catch {
    return undefined; // a missing file is reported by the functions resolver, naming the flag
  }
  const m = RUNTIME_COMMENT.exec(first);
  return m?.[1] === 'cloudfront-js-1.0' || m?.[1] === 'cloudfront-js-2.0' ? m[1] : undefined;
}

/** The name --kvs FILE gives its store: the file's base name, made a valid store name. */
function kvsNameFromFile(file: string): string {
  const base = path.basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return base === '' ? 'kvs' : base;
}

export interface LoadSource {
  /** A .json, .mjs, .js or .cjs config file (the module's default export is the config). */
  file?: string;
  /** A config object (e.g. from defineConfig or the embedded demo). */
  object?: unknown;
  /** Folder that relative function files resolve against when `object` is given (default: cwd). */
  baseDir?: string;
  flags?: FlagOverrides;
}

/** The raw input to validate, and how to name it in messages. */
interface RawSource {
  /** What problem lines start with: the file name, `config` for an object, `flags` for flags alone. */
  label: string;
  raw: unknown;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
  fromFlags: boolean;
  /** Config path → the flag that supplied it (`origins[0].url` → `--origin`), so messages name the flag. */
  flagFor: Map<string, string>;
}

/**
 * `3:5: invalid JSON: unexpected "}"`: the line and column of the first character that breaks the
 * JSON (RFC 8259), whatever V8's message says, so an editor can jump there.
 */
function invalidJson(text: string): string {
  const at = jsonErrorOffset(text);
  if (at === -1) return ' invalid JSON';
  const { line, column } = lineColumn(text, at);
  if (at >= text.length) return `${line}:${column}: invalid JSON: unexpected end of input`;
  return `${line}:${column}: invalid JSON: unexpected ${JSON.stringify(String.fromCodePoint(text.codePointAt(at) ?? 0))}`;
}

async function readConfigFile(file: string): Promise<unknown> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => undefined);
  if (st === undefined || !st.isFile()) throw new ConfigError('ConfigFileNotFound', `${file}: config file not found (${abs})`);
  const ext = path.extname(abs).toLowerCase();
  if (ext === '.json') {
    const text = await readFile(abs, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ConfigError('ConfigFileUnreadable', `${file}:${invalidJson(text)}`);
    }
  }
  if (ext === '.mjs' || ext === '.js' || ext === '.cjs') {
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(abs).href);
    } catch (e) {
      throw new ConfigError('ConfigFileUnreadable', `${file}: could not load the module: ${e instanceof Error ? e.message : String(e)}`);
    }
    const def = typeof mod === 'object' && mod !== null && 'default' in mod ? mod.default : undefined;
    if (def === undefined) throw new ConfigError('ConfigFileUnreadable', `${file}: must export the configuration as its default export`);
    return def;
  }
  throw new ConfigError('ConfigFileUnreadable', `${file}: unsupported config file type "${ext}" (use .json, .mjs, .js or .cjs)`);
}

/** `FILE[#export]` → parts; the last `#` separates the export so paths may contain `#`. */
function splitFunctionFlag(value: string): { file: string; exportName: string | undefined } {
  const at = value.lastIndexOf('#');
  if (at === -1) return { file: value, exportName: undefined };
  return { file: value.slice(0, at), exportName: value.slice(at + 1) };
}

/** A one-behavior distribution from flags alone (no config file). */
function inputFromFlags(flags: FlagOverrides, flagFor: Map<string, string>): ConfigInput {
  const functions: NonNullable<ConfigInput['functions']> = [];
  const assoc: Record<string, { function: string; includeBody: boolean }> = {};
  for (const trigger of EVENT_TYPES) {
    const value = flags[trigger];
    if (value === undefined) continue;
    const { file, exportName } = splitFunctionFlag(value);
    const id = `${path.basename(file)}:${trigger}`;
    const i = functions.length;
    const fn: NonNullable<ConfigInput['functions']>[number] = exportName === undefined ? { id, file } : { id, file, export: exportName };
    if (trigger === 'viewer-request' || trigger === 'viewer-response') {
      const runtime = runtimeComment(path.resolve(file)) ?? (flags.cff === true ? DEFAULT_CFF_RUNTIME : undefined);
      if (runtime !== undefined) {
        fn.runtime = runtime;
        flagFor.set(`functions[${i}].runtime`, flags.cff === true ? '--cff' : `--${trigger}`);
        if (flags.kvs !== undefined) {
          fn.keyValueStore = kvsNameFromFile(flags.kvs);
          flagFor.set(`functions[${i}].keyValueStore`, '--kvs');
        }
      }
    }
    functions.push(fn);
    flagFor.set(`functions[${i}]`, `--${trigger}`);
    assoc[trigger] = { function: id, includeBody: flags.includeBody === true && mayIncludeBody(trigger) };
  }
  flagFor.set('origins[0].url', '--origin');
  flagFor.set('origins[0]', '--origin');
  flagFor.set('behaviors[0].cachePolicy', '--cache-policy');
  flagFor.set('behaviors[0].originRequestPolicy', '--origin-request-policy');
  const behavior: NonNullable<ConfigInput['behaviors']>[number] = { pathPattern: '*', origin: 'origin', functions: assoc };
  if (flags.cachePolicy !== undefined) behavior.cachePolicy = flags.cachePolicy;
  if (flags.originRequestPolicy !== undefined) behavior.originRequestPolicy = flags.originRequestPolicy;
  const input: ConfigInput = { origins: [{ id: 'origin', url: flags.origin ?? '' }], functions, behaviors: [behavior] };
  if (flags.kvs !== undefined) {
    input.keyValueStores = [{ name: kvsNameFromFile(flags.kvs), file: flags.kvs }];
    flagFor.set('keyValueStores[0]', '--kvs');
    flagFor.set('keyValueStores[0].file', '--kvs');
  }
  return input;
}

function hasTriggerFlags(flags: FlagOverrides): boolean {
  return EVENT_TYPES.some((t) => flags[t] !== undefined);
}

/**
 * Picks the source and reads it. Throws ConfigError for flags that cannot work together, or a file
 * that cannot be read; what the source contains is checked later.
 */
export async function readSource(src: LoadSource): Promise<RawSource> {
  const flags = src.flags ?? {};
  if (flags.port !== undefined && !(Number.isInteger(flags.port) && flags.port >= 0 && flags.port <= 65535)) {
    throw new ConfigError('UsageError', `--port: expected a port number 0-65535, got ${String(flags.port)}`);
  }
  if (flags.host !== undefined && flags.host === '') throw new ConfigError('UsageError', '--host: must not be empty');
  const flagFor = new Map<string, string>();

  if (src.file !== undefined && src.object !== undefined) {
    throw new ConfigError('UsageError', 'loadConfig: give either a config file or a config object, not both');
  }
  if (src.file !== undefined || src.object !== undefined) {
    // docs/decisions.md: trigger flags never mix with a config file's behaviors.
    const trigger = EVENT_TYPES.find((t) => flags[t] !== undefined);
    if (trigger !== undefined) {
      throw new ConfigError('UsageError', `--${trigger}: cannot be combined with a config file; associate functions in the config file's behaviors`);
    }
    if (flags.includeBody === true) {
      throw new ConfigError('UsageError', '--include-body: cannot be combined with a config file; set "includeBody" on the association in the config file');
    }
    if (flags.cff === true) throw new ConfigError('UsageError', '--cff: cannot be combined with a config file; set "runtime" on the config file\'s functions');
    if (flags.kvs !== undefined) throw new ConfigError('UsageError', '--kvs: cannot be combined with a config file; declare "keyValueStores" in the config file');
    // docs/decisions.md: the policy flags shape the flags-only behavior only.
    for (const [flag, key, value] of [['--cache-policy', 'cachePolicy', flags.cachePolicy], ['--origin-request-policy', 'originRequestPolicy', flags.originRequestPolicy]] as const) {
      if (value !== undefined) throw new ConfigError('UsageError', `${flag}: cannot be combined with a config file; set "${key}" on the config file's behaviors`);
    }
  }
  if (src.file !== undefined) {
    return { label: src.file, raw: await readConfigFile(src.file), baseDir: path.dirname(path.resolve(src.file)), fromFlags: false, flagFor };
  }
  if (src.object !== undefined) {
    return { label: 'config', raw: src.object, baseDir: path.resolve(src.baseDir ?? process.cwd()), fromFlags: false, flagFor };
  }
  if (flags.origin === undefined) {
    throw new ConfigError(
      'UsageError',
      hasTriggerFlags(flags) || flags.includeBody === true || flags.cachePolicy !== undefined || flags.originRequestPolicy !== undefined
        ? '--origin: required when no config file is given (the URL of the server behind the proxy)'
        : 'nothing to run: give --config FILE or --origin URL',
    );
  }
  if (flags.cff === true && flags['viewer-request'] === undefined && flags['viewer-response'] === undefined) {
    throw new ConfigError('UsageError', '--cff: needs --viewer-request or --viewer-response (CloudFront Functions run at the viewer events only)');
  }
  if (flags.includeBody === true && flags['viewer-request'] === undefined && flags['origin-request'] === undefined) {
    throw new ConfigError('UsageError', '--include-body: needs --viewer-request or --origin-request (AWS rule: association rules)');
  }
  return { label: 'flags', raw: inputFromFlags(flags, flagFor), baseDir: path.resolve(src.baseDir ?? process.cwd()), fromFlags: true, flagFor };
}

/**
 * Flags that override a config file's values before it is resolved (docs/config.md): `--origin`
 * replaces the first origin's URL. The other overriding flags are single values the settings
 * resolver reads directly.
 */
export function applyFlagOverrides(data: ParsedConfig, flags: FlagOverrides, source: RawSource): void {
  const firstOrigin = data.origins[0];
  if (flags.origin !== undefined && firstOrigin !== undefined && !source.fromFlags) {
    firstOrigin.url = flags.origin;
    source.flagFor.set('origins[0].url', '--origin');
  }
}
