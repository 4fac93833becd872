// Config file and/or CLI flags → validated, resolved, deep-frozen ResolvedConfig. Runs once at
// start; everything the hot path needs (matchers, policies, lowercase names, ms timeouts) is
// computed here. Every problem is collected and reported at once, each naming where it is.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import { EVENT_TYPES, type EventType } from '../event/types.js';
import { managedCachePolicy, managedOriginRequestPolicy, MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES } from './managed-policies.js';
import { compilePathPattern, normalizePathPattern, pathPatternProblem } from './path-pattern.js';
import {
  ALLOWED_METHOD_SETS,
  CACHED_METHOD_SETS,
  CLOUDFRONT_VIEWER_HEADERS,
  configSchema,
  formatPath,
  HEADER_NAME,
  isForbiddenOriginCustomHeader,
  issuesToProblems,
  MAX_CACHE_POLICY_NAMES,
  ORIGIN_REQUEST_POLICY_ONLY_HEADERS,
  type CachePolicyInput,
  type ConfigInput,
  type OriginRequestPolicyInput,
  type ParsedConfig,
  type PathSegment,
  type Problem,
  VERSION_NUMBER,
} from './schema.js';
import type {
  Association,
  CachePolicy,
  CookieBehavior,
  HeaderBehavior,
  OriginHeaderBehavior,
  OriginRequestPolicy,
  QueryStringBehavior,
  ResolvedBehavior,
  ResolvedConfig,
  ResolvedFunction,
  ResolvedOrigin,
} from './types.js';

export type { ConfigInput } from './schema.js';

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
  /** --inspector-headers */
  inspectorHeaders?: boolean;
  /** --admin-port (on 127.0.0.1 unless the config names a host) */
  adminPort?: number;
  prewarm?: boolean;
  logFormat?: 'text' | 'json';
  logLevel?: 'info' | 'warn' | 'error';
  accessLog?: string;
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

export const DEFAULT_DISTRIBUTION_ID = 'EDFDVBD6EXAMPLE';
export const DEFAULT_POP = 'IAD79-C3';
/**
 * Worker threads per function: one per core, at most 4. More threads than cores only adds context
 * switches: on a 2-core machine a viewer-request + viewer-response hit served ~25 % fewer requests
 * with 4 workers per function than with 2 (bench scenario b, docs/benchmarks.md).
 */
export const DEFAULT_WORKERS_PER_FUNCTION = Math.max(1, Math.min(4, availableParallelism()));
/** --cache-size default: 256 MiB. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Larger responses stream through unstored (CloudFront's own cap is 50 GB; a local cache is smaller). */
export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** spec §6.6: the error caching minimum TTL defaults to 10 s. */
export const DEFAULT_ERROR_CACHING_MIN_TTL = 10;
export const DEFAULT_LISTEN = Object.freeze({ host: '127.0.0.1', port: 8080 });
export const DEFAULT_CACHE_POLICY = 'CachingOptimized';
export const DEFAULT_ORIGIN_REQUEST_POLICY = 'AllViewerExceptHostHeader';
/** spec §3.5: request headers ≤ 20,480 bytes, URL ≤ 8,192 bytes. */
const LIMITS = Object.freeze({ maxRequestHeaderBytes: 20_480, maxUrlLength: 8_192 });

const TRIGGER_FLAGS: readonly EventType[] = EVENT_TYPES;
const BODY_EVENTS: ReadonlySet<EventType> = new Set(['viewer-request', 'origin-request']);

// ---- problems --------------------------------------------------------------------------------

/** Collects problems; a config path can be renamed to the flag that supplied its value. */
class Problems {
  readonly list: Problem[] = [];
  constructor(
    private readonly label: string,
    private readonly flagFor: ReadonlyMap<string, string>,
  ) {}

  add(where: readonly PathSegment[] | string, message: string): void {
    const p = typeof where === 'string' ? where : formatPath(where);
    this.list.push({ path: p, message });
  }

  addAll(problems: readonly Problem[]): void {
    this.list.push(...problems);
  }

  /** One line per problem: `config.json: behaviors[1].origin: unknown origin id "x"` or `--origin: ...`. */
  throwIfAny(): void {
    if (this.list.length > 0) this.fail();
  }

  fail(): never {
    const lines = this.list.map(({ path: p, message }) => {
      const flag = this.flagFor.get(p) ?? [...this.flagFor].find(([k]) => p.startsWith(`${k}.`) || p.startsWith(`${k}[`))?.[1];
      return flag !== undefined ? `${flag}: ${message}` : `${this.label}: ${p}: ${message}`;
    });
    throw new ConfigError('InvalidConfig', lines.join('\n'));
  }
}

// ---- reading the source ----------------------------------------------------------------------

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
      throw new ConfigError('ConfigFileUnreadable', `${file}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
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
  for (const trigger of TRIGGER_FLAGS) {
    const value = flags[trigger];
    if (value === undefined) continue;
    const { file, exportName } = splitFunctionFlag(value);
    const id = `${path.basename(file)}:${trigger}`;
    const i = functions.length;
    functions.push(exportName === undefined ? { id, file } : { id, file, export: exportName });
    flagFor.set(`functions[${i}]`, `--${trigger}`);
    assoc[trigger] = { function: id, includeBody: flags.includeBody === true && BODY_EVENTS.has(trigger) };
  }
  flagFor.set('origins[0].url', '--origin');
  flagFor.set('origins[0]', '--origin');
  return {
    origins: [{ id: 'origin', url: flags.origin ?? '' }],
    functions,
    behaviors: [{ pathPattern: '*', origin: 'origin', functions: assoc }],
  };
}

function hasTriggerFlags(flags: FlagOverrides): boolean {
  return TRIGGER_FLAGS.some((t) => flags[t] !== undefined);
}

// ---- resolution ------------------------------------------------------------------------------

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** CloudFront origin ports: 80, 443, or 1024–65535 (spec §1.4). */
function originPortOk(port: number): boolean {
  return port === 80 || port === 443 || (port >= 1024 && port <= 65535);
}

const CTL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function resolveOrigin(o: ParsedConfig['origins'][number], at: PathSegment[], problems: Problems): ResolvedOrigin | undefined {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    problems.add([...at, 'url'], `not a valid URL: ${JSON.stringify(o.url)} (expected e.g. http://127.0.0.1:3000)`);
    return undefined;
  }
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  let ok = true;
  const bad = (msg: string): void => {
    problems.add([...at, 'url'], msg);
    ok = false;
  };
  if (protocol === undefined) bad(`must be an http:// or https:// URL, got ${JSON.stringify(o.url)}`);
  if (url.hostname === '') bad(`must name a host, got ${JSON.stringify(o.url)}`);
  if (url.username !== '' || url.password !== '') bad('must not contain credentials; use customHeaders instead');
  if (url.search !== '' || url.hash !== '') bad('must not contain a query string or fragment (an origin path is a path only, spec §1.4)');
  const port = url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port);
  if (!originPortOk(port)) bad(`port ${port} is not one CloudFront can use: 80, 443, or 1024-65535 (spec §1.4)`);
  // spec §1.4: origin path starts with `/`, has no trailing `/`, ≤255 chars, `""` allowed.
  const originPath = url.pathname.replace(/\/+$/, '');
  if (originPath.length > 255) bad(`origin path must be at most 255 characters, got ${originPath.length}`);

  const customHeaders: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(o.customHeaders ?? {})) {
    const hat = [...at, 'customHeaders', name];
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) problems.add(hat, 'not a valid header name');
    else if (isForbiddenOriginCustomHeader(name)) problems.add(hat, `CloudFront cannot add "${name}" as an origin custom header (spec §3.4)`);
    else if (seen.has(lower)) problems.add(hat, 'duplicate header name (names are case-insensitive)');
    else if (CTL.test(value)) problems.add(hat, 'value must not contain control characters');
    else customHeaders[name] = value;
    seen.add(lower);
  }
  if (!ok || protocol === undefined) return undefined;
  return {
    id: o.id,
    url: o.url,
    protocol,
    // URL keeps IPv6 literals bracketed; the event and socket APIs want the bare address.
    domainName: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    path: originPath,
    readTimeout: o.readTimeout ?? 30,
    keepaliveTimeout: o.keepaliveTimeout ?? 5,
    connectTimeout: o.connectTimeout ?? 10,
    customHeaders,
    sslProtocols: o.sslProtocols ?? ['TLSv1.2'],
  };
}

async function resolveFunction(
  f: NonNullable<ParsedConfig['functions']>[number],
  at: PathSegment[],
  baseDir: string,
  problems: Problems,
): Promise<ResolvedFunction | undefined> {
  const file = path.resolve(baseDir, f.file);
  const st = await stat(file).catch(() => undefined);
  if (st === undefined) {
    problems.add([...at, 'file'], `file not found: ${file}`);
    return undefined;
  }
  if (!st.isFile()) {
    problems.add([...at, 'file'], `not a file: ${file}`);
    return undefined;
  }
  const aliases = resolveAliases(f.aliases, [...at, 'aliases'], problems);
  const fn: ResolvedFunction = {
    id: f.id,
    file,
    exportName: f.export ?? 'handler',
    timeoutMs: f.timeout === undefined ? undefined : Math.round(f.timeout * 1000),
    memorySize: f.memorySize ?? 128,
    reservedConcurrency: f.reservedConcurrency,
  };
  CODE_SETTINGS.set(fn, { configPath: formatPath(at), aliases: frozenMap(aliases) });
  return fn;
}

// ---- versions and aliases (spec §9.1) --------------------------------------------------------

/** One alias of a function: Lambda's FunctionVersion + RoutingConfig. */
export interface ResolvedAlias {
  name: string;
  /** The primary version: gets every invocation the additional version does not. */
  version: string;
  /** At most one other version and the share (0–1) of invocations drawn for it, per invocation. */
  additional: { version: string; weight: number } | undefined;
}

/** What the code registry needs about a function beyond ResolvedFunction. */
export interface FunctionCodeSettings {
  /** Where the function is in the config, for messages: `functions[0]`. */
  configPath: string;
  aliases: ReadonlyMap<string, ResolvedAlias>;
}

// A side table rather than a field, because ResolvedFunction (config/types.ts) is a shared contract:
// see docs/decisions.md. Functions built by hand (tests) simply have no aliases.
const CODE_SETTINGS = new WeakMap<ResolvedFunction, FunctionCodeSettings>();
const NO_ALIASES: ReadonlyMap<string, ResolvedAlias> = frozenMap([]);

export function functionCodeSettings(fn: ResolvedFunction): FunctionCodeSettings {
  return CODE_SETTINGS.get(fn) ?? { configPath: `functions[${JSON.stringify(fn.id)}]`, aliases: NO_ALIASES };
}

/** Lambda's alias name rule (CreateAlias `Name`): letters, digits, `-`, `_`, 1–128, not all digits. */
const ALIAS_NAME = /^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/;

type AliasInput = NonNullable<NonNullable<ParsedConfig['functions']>[number]['aliases']>;

function resolveAliases(input: AliasInput | undefined, at: PathSegment[], problems: Problems): Map<string, ResolvedAlias> {
  const out = new Map<string, ResolvedAlias>();
  for (const [name, a] of Object.entries(input ?? {})) {
    const aat = [...at, name];
    if (!ALIAS_NAME.test(name)) {
      problems.add(aat, 'an alias name is 1-128 letters, digits, "-" or "_", and not only digits (digits name a version)');
      continue;
    }
    const weights = Object.entries(a.additionalVersionWeights ?? {});
    const wat = [...aat, 'additionalVersionWeights'];
    if (weights.length > 1) {
      problems.add(wat, `at most one additional version (Lambda's RoutingConfig, spec §9.1), got ${weights.length}`);
      continue;
    }
    let additional: ResolvedAlias['additional'];
    const first = weights[0];
    if (first !== undefined) {
      const [version, weight] = first;
      if (version === '$LATEST') problems.add([...wat, version], 'an alias must route to published versions, not $LATEST (spec §9.1)');
      else if (!VERSION_NUMBER.test(version)) problems.add([...wat, version], 'must be a published version number like "3"');
      else if (version === a.version) problems.add([...wat, version], `must be a version other than the alias's own version "${a.version}"`);
      else additional = { version, weight };
    }
    out.set(name, { name, version: a.version, additional });
  }
  return out;
}

/**
 * `auth:3` → `{ functionId: 'auth', qualifier: '3' }`. A defined id wins as a whole, so ids that
 * contain `:` themselves (the ones --viewer-request makes: `auth.js:viewer-request`) still work.
 */
export function splitFunctionRef(ref: string, known: ReadonlySet<string>): { functionId: string; qualifier: string | undefined } {
  if (known.has(ref)) return { functionId: ref, qualifier: undefined };
  const at = ref.lastIndexOf(':');
  if (at > 0 && known.has(ref.slice(0, at))) return { functionId: ref.slice(0, at), qualifier: ref.slice(at + 1) };
  return { functionId: ref, qualifier: undefined };
}

function qualifierProblem(qualifier: string, functionId: string, aliasNames: readonly string[]): string | undefined {
  if (qualifier === '$LATEST' || VERSION_NUMBER.test(qualifier)) return undefined;
  if (qualifier === '') return `nothing after ":" in "${functionId}:"; name a version ("${functionId}:1") or an alias`;
  if (/^[0-9]+$/.test(qualifier)) return `version numbers start at 1, got "${qualifier}"`;
  if (aliasNames.includes(qualifier)) return undefined;
  const known = aliasNames.length === 0 ? 'it has none' : `aliases: ${aliasNames.map((n) => `"${n}"`).join(', ')}`;
  return `function "${functionId}" has no alias "${qualifier}" (${known}); define it under the function's "aliases"`;
}

type NameSelectionInput = NonNullable<CachePolicyInput['queryStrings']>;

function nameSelection(v: NameSelectionInput | undefined, lower: boolean): QueryStringBehavior {
  if (v === undefined || v === 'none') return { behavior: 'none' };
  if (v === 'all') return { behavior: 'all' };
  if (v.behavior === 'none' || v.behavior === 'all') return { behavior: v.behavior };
  return { behavior: v.behavior, names: v.names.map((n) => (lower ? n.toLowerCase() : n)) };
}

function checkNames(names: readonly string[], at: PathSegment[], problems: Problems, max: number | undefined, headers: boolean): void {
  if (max !== undefined && names.length > max) problems.add(at, `at most ${max} names are allowed, got ${names.length} (spec §6.2)`);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (headers && !HEADER_NAME.test(n)) problems.add([...at, i], `not a valid header name: ${JSON.stringify(n)}`);
    const key = headers ? n.toLowerCase() : n;
    if (seen.has(key)) problems.add([...at, i], `duplicate name ${JSON.stringify(n)}`);
    seen.add(key);
  });
}

function listOf(v: unknown): readonly string[] | undefined {
  return typeof v === 'object' && v !== null && 'names' in v && Array.isArray(v.names) ? (v.names as string[]) : undefined;
}

function resolveCachePolicy(p: CachePolicyInput, at: PathSegment[], problems: Problems): CachePolicy {
  // Console defaults for a new cache policy: min 1 s, default 1 day (or min if larger), max 1 year (or default if larger).
  const minTTL = p.minTTL ?? 1;
  const defaultTTL = p.defaultTTL ?? Math.max(86_400, minTTL);
  const maxTTL = p.maxTTL ?? Math.max(31_536_000, defaultTTL);
  if (minTTL > defaultTTL) problems.add([...at, 'defaultTTL'], `must be >= minTTL (${minTTL})`);
  if (defaultTTL > maxTTL) problems.add([...at, 'maxTTL'], `must be >= defaultTTL (${defaultTTL})`);
  for (const key of ['queryStrings', 'cookies', 'headers'] as const) {
    const names = listOf(p[key]);
    if (names !== undefined) checkNames(names, [...at, key, 'names'], problems, MAX_CACHE_POLICY_NAMES, key === 'headers');
  }
  const headerNames = listOf(p.headers) ?? [];
  headerNames.forEach((n, i) => {
    if (ORIGIN_REQUEST_POLICY_ONLY_HEADERS.includes(n.toLowerCase())) {
      problems.add([...at, 'headers', 'names', i], `"${n}" can only be in an origin request policy, not a cache policy (spec §6.2)`);
    }
  });
  const h = p.headers;
  const headers: HeaderBehavior =
    h === undefined || h === 'none' || h.behavior === 'none'
      ? { behavior: 'none' }
      : { behavior: 'whitelist', names: h.names.map((n) => n.toLowerCase()) };
  return {
    name: p.name ?? formatPath(at),
    minTTL,
    defaultTTL,
    maxTTL,
    queryStrings: nameSelection(p.queryStrings, false),
    headers,
    cookies: nameSelection(p.cookies, false) as CookieBehavior,
    enableAcceptEncodingGzip: p.enableAcceptEncodingGzip ?? true,
    enableAcceptEncodingBrotli: p.enableAcceptEncodingBrotli ?? true,
  };
}

function resolveOriginRequestPolicy(p: OriginRequestPolicyInput, at: PathSegment[], problems: Problems): OriginRequestPolicy {
  for (const key of ['queryStrings', 'cookies', 'headers'] as const) {
    const names = listOf(p[key]);
    if (names !== undefined) checkNames(names, [...at, key, 'names'], problems, undefined, key === 'headers');
  }
  const h = p.headers;
  let headers: OriginHeaderBehavior;
  if (h === undefined || h === 'none') headers = { behavior: 'none' };
  else if (h === 'allViewer') headers = { behavior: 'allViewer' };
  else if (h.behavior === 'none' || h.behavior === 'allViewer') headers = { behavior: h.behavior };
  else {
    if (h.behavior === 'allViewerAndWhitelistCloudFront') {
      h.names.forEach((n, i) => {
        if (!CLOUDFRONT_VIEWER_HEADERS.includes(n.toLowerCase())) {
          problems.add([...at, 'headers', 'names', i], `"${n}" is not a CloudFront-* header CloudFront can add (spec §7)`);
        }
      });
    }
    headers = { behavior: h.behavior, names: h.names.map((n) => n.toLowerCase()) };
  }
  return {
    name: p.name ?? formatPath(at),
    queryStrings: nameSelection(p.queryStrings, false),
    headers,
    cookies: nameSelection(p.cookies, false) as CookieBehavior,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m)) && new Set(a).size === a.length;
}

function methodSet(
  given: readonly string[] | undefined,
  sets: readonly (readonly string[])[],
  fallback: readonly string[],
  at: PathSegment[],
  problems: Problems,
): readonly string[] {
  if (given === undefined) return fallback;
  const match = sets.find((s) => sameSet(s, given));
  if (match === undefined) {
    problems.add(at, `must be one of ${sets.map((s) => JSON.stringify(s)).join(', ')} (CloudFront's fixed method sets), got ${JSON.stringify(given)}`);
    return fallback;
  }
  return match;
}

function resolveBehavior(
  b: NonNullable<ParsedConfig['behaviors']>[number],
  at: PathSegment[],
  ctx: {
    origins: ReadonlyMap<string, ResolvedOrigin>;
    originIds: readonly string[];
    functions: ReadonlySet<string>;
    functionIds: readonly string[];
    aliasNames: ReadonlyMap<string, readonly string[]>;
  },
  problems: Problems,
): ResolvedBehavior {
  let originId = b.origin;
  if (originId === undefined) {
    if (ctx.originIds.length === 1) originId = ctx.originIds[0];
    else problems.add([...at, 'origin'], 'is required when there is more than one origin');
  } else if (!ctx.originIds.includes(originId)) {
    problems.add([...at, 'origin'], `unknown origin id "${originId}" (defined: ${ctx.originIds.map((i) => `"${i}"`).join(', ')})`);
  }

  const functions: Partial<Record<EventType, Association>> = {};
  for (const event of EVENT_TYPES) {
    const ref = b.functions?.[event];
    if (ref === undefined) continue;
    const fat = [...at, 'functions', event];
    const refAt = typeof ref === 'string' ? fat : [...fat, 'function'];
    const { functionId, qualifier } = splitFunctionRef(typeof ref === 'string' ? ref : ref.function, ctx.functions);
    const includeBody = typeof ref === 'string' ? false : ref.includeBody === true;
    if (!ctx.functions.has(functionId)) {
      const known = ctx.functionIds.length === 0 ? 'no functions are defined' : `defined: ${ctx.functionIds.map((i) => `"${i}"`).join(', ')}`;
      problems.add(refAt, `unknown function id "${functionId}" (${known})`);
    } else if (qualifier !== undefined) {
      // Whether a numbered version is published is known only to the code registry (runtime/code.ts).
      const bad = qualifierProblem(qualifier, functionId, ctx.aliasNames.get(functionId) ?? []);
      if (bad !== undefined) problems.add(refAt, bad);
    }
    if (includeBody && !BODY_EVENTS.has(event)) {
      problems.add([...fat, 'includeBody'], 'only viewer-request and origin-request associations can include the body (spec §3.9)');
    }
    functions[event] = qualifier === undefined ? { functionId, includeBody } : { functionId, qualifier, includeBody };
  }

  let cachePolicy: CachePolicy | undefined;
  const cp = b.cachePolicy ?? DEFAULT_CACHE_POLICY;
  if (typeof cp === 'string') {
    cachePolicy = managedCachePolicy(cp);
    if (cachePolicy === undefined) {
      problems.add([...at, 'cachePolicy'], `unknown managed cache policy "${cp}" (known: ${[...MANAGED_CACHE_POLICIES.keys()].join(', ')}); or give an inline policy object`);
    }
  } else {
    cachePolicy = resolveCachePolicy(cp, [...at, 'cachePolicy'], problems);
  }

  let originRequestPolicy: OriginRequestPolicy | undefined;
  const orp = b.originRequestPolicy === undefined ? DEFAULT_ORIGIN_REQUEST_POLICY : b.originRequestPolicy;
  if (typeof orp === 'string') {
    originRequestPolicy = managedOriginRequestPolicy(orp);
    if (originRequestPolicy === undefined) {
      problems.add([...at, 'originRequestPolicy'], `unknown managed origin request policy "${orp}" (known: ${[...MANAGED_ORIGIN_REQUEST_POLICIES.keys()].join(', ')}); or give an inline policy object, or null for none`);
    }
  } else if (orp !== null) {
    originRequestPolicy = resolveOriginRequestPolicy(orp, [...at, 'originRequestPolicy'], problems);
  }

  const allowedMethods = methodSet(b.allowedMethods, ALLOWED_METHOD_SETS, ALLOWED_METHOD_SETS[2]!, [...at, 'allowedMethods'], problems);
  const cachedMethods = methodSet(b.cachedMethods, CACHED_METHOD_SETS, CACHED_METHOD_SETS[0]!, [...at, 'cachedMethods'], problems);
  if (!cachedMethods.every((m) => allowedMethods.includes(m))) {
    problems.add([...at, 'cachedMethods'], `must be a subset of allowedMethods ${JSON.stringify(allowedMethods)}`);
  }

  return {
    pathPattern: b.pathPattern,
    matches: compilePathPattern(b.pathPattern),
    originId: originId ?? '',
    functions,
    // Placeholder only when a problem was recorded; the caller throws before returning a config.
    cachePolicy: cachePolicy ?? (MANAGED_CACHE_POLICIES.get(DEFAULT_CACHE_POLICY) as CachePolicy),
    originRequestPolicy,
    compress: b.compress ?? true,
    allowedMethods,
    cachedMethods,
  };
}

/** Value checks for the few CloudFront-* headers whose format is fixed (spec §7). */
function viewerHeaderValueProblem(name: string, value: string): string | undefined {
  if (CTL.test(value)) return 'value must not contain control characters';
  if (name === 'cloudfront-viewer-country' && !/^[A-Z]{2}$/.test(value)) return `must be an ISO 3166-1 alpha-2 code like "DE", got ${JSON.stringify(value)}`;
  if (name.startsWith('cloudfront-is-') && value !== 'true' && value !== 'false') return `must be "true" or "false", got ${JSON.stringify(value)}`;
  if (name === 'cloudfront-forwarded-proto' && value !== 'http' && value !== 'https') return `must be "http" or "https", got ${JSON.stringify(value)}`;
  return undefined;
}

function resolveViewerHeaders(input: Readonly<Record<string, string>> | undefined, problems: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    const at = ['viewerHeaders', name];
    const lower = name.toLowerCase();
    if (!CLOUDFRONT_VIEWER_HEADERS.includes(lower)) {
      problems.add(at, 'not a CloudFront-* viewer header (spec §7 lists the names, e.g. CloudFront-Viewer-Country)');
      continue;
    }
    if (lower in out) {
      problems.add(at, 'duplicate header name (names are case-insensitive)');
      continue;
    }
    const bad = viewerHeaderValueProblem(lower, value);
    if (bad !== undefined) problems.add(at, bad);
    else out[lower] = value;
  }
  return out;
}

function checkUniqueIds(items: readonly { id: string }[], list: string, problems: Problems): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) problems.add([list, i, 'id'], `duplicate id "${item.id}" (also ${list}[${first}])`);
    else seen.set(item.id, i);
  });
}

// ---- freezing --------------------------------------------------------------------------------

function refuse(): never {
  throw new TypeError('the resolved configuration is read-only');
}

/** A Map whose mutators throw, so "frozen" holds at run time as well as in the types. */
function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const m = new Map<K, V>(entries);
  for (const v of m.values()) deepFreeze(v);
  Object.defineProperties(m, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(m);
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || v instanceof Map) return v;
  for (const key of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[key]);
  return Object.freeze(v);
}

// ---- entry point -----------------------------------------------------------------------------

/**
 * Load, validate and resolve the configuration. Throws ConfigError whose message has one line per
 * problem, each naming the file (or flag) and the field.
 */
export async function loadConfig(src: LoadSource): Promise<ResolvedConfig> {
  const flags = src.flags ?? {};
  if (flags.port !== undefined && !(Number.isInteger(flags.port) && flags.port >= 0 && flags.port <= 65535)) {
    throw new ConfigError('UsageError', `--port: expected a port number 0-65535, got ${String(flags.port)}`);
  }
  if (flags.host !== undefined && flags.host === '') throw new ConfigError('UsageError', '--host: must not be empty');
  const flagFor = new Map<string, string>();
  let label: string;
  let raw: unknown;
  let baseDir: string;

  if (src.file !== undefined && src.object !== undefined) {
    throw new ConfigError('UsageError', 'loadConfig: give either a config file or a config object, not both');
  }
  if (src.file !== undefined || src.object !== undefined) {
    // spec-less decision (docs/decisions.md): trigger flags never mix with a config file's behaviors.
    const trigger = TRIGGER_FLAGS.find((t) => flags[t] !== undefined);
    if (trigger !== undefined) {
      throw new ConfigError('UsageError', `--${trigger}: cannot be combined with a config file; associate functions in the config file's behaviors`);
    }
    if (flags.includeBody === true) {
      throw new ConfigError('UsageError', '--include-body: cannot be combined with a config file; set "includeBody" on the association in the config file');
    }
  }
  if (src.file !== undefined) {
    label = src.file;
    raw = await readConfigFile(src.file);
    baseDir = path.dirname(path.resolve(src.file));
  } else if (src.object !== undefined) {
    label = 'config';
    raw = src.object;
    baseDir = path.resolve(src.baseDir ?? process.cwd());
  } else {
    if (flags.origin === undefined) {
      throw new ConfigError(
        'UsageError',
        hasTriggerFlags(flags) || flags.includeBody === true
          ? '--origin: required when no config file is given (the URL of the server behind the proxy)'
          : 'nothing to run: give --config FILE or --origin URL',
      );
    }
    if (flags.includeBody === true && flags['viewer-request'] === undefined && flags['origin-request'] === undefined) {
      throw new ConfigError('UsageError', '--include-body: needs --viewer-request or --origin-request (spec §3.9)');
    }
    label = 'flags';
    raw = inputFromFlags(flags, flagFor);
    baseDir = path.resolve(src.baseDir ?? process.cwd());
  }

  const problems: Problems = new Problems(label, flagFor);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    problems.addAll(issuesToProblems(parsed.error.issues));
    problems.fail();
  }
  const data = parsed.data;

  // Flag overrides on a config (documented in docs/config.md): --origin replaces the first origin's URL.
  const firstOrigin = data.origins[0];
  if (flags.origin !== undefined && firstOrigin !== undefined && label !== 'flags') {
    firstOrigin.url = flags.origin;
    flagFor.set('origins[0].url', '--origin');
  }

  checkUniqueIds(data.origins, 'origins', problems);
  checkUniqueIds(data.functions ?? [], 'functions', problems);

  const origins = new Map<string, ResolvedOrigin>();
  data.origins.forEach((o, i) => {
    const r = resolveOrigin(o, ['origins', i], problems);
    if (r !== undefined && !origins.has(r.id)) origins.set(r.id, r);
  });

  const functions = new Map<string, ResolvedFunction>();
  const resolvedFns = await Promise.all(
    (data.functions ?? []).map((f, i) => resolveFunction(f, ['functions', i], baseDir, problems)),
  );
  for (const f of resolvedFns) if (f !== undefined && !functions.has(f.id)) functions.set(f.id, f);

  const ctx = {
    origins,
    originIds: data.origins.map((o) => o.id),
    functions: new Set((data.functions ?? []).map((f) => f.id)),
    functionIds: (data.functions ?? []).map((f) => f.id),
    aliasNames: new Map((data.functions ?? []).map((f) => [f.id, Object.keys(f.aliases ?? {})] as const)),
  };
  const behaviorInputs = data.behaviors ?? [];
  const behaviors: ResolvedBehavior[] = [];
  const patterns = new Map<string, number>();
  behaviorInputs.forEach((b, i) => {
    const at: PathSegment[] = ['behaviors', i];
    const bad = pathPatternProblem(b.pathPattern);
    if (bad !== undefined) problems.add([...at, 'pathPattern'], bad);
    // spec §6.1: the default behavior `*` is always last.
    if (b.pathPattern === '*' && i !== behaviorInputs.length - 1) {
      problems.add([...at, 'pathPattern'], 'the default behavior "*" must be the last behavior');
    }
    const norm = normalizePathPattern(b.pathPattern);
    const dup = patterns.get(norm);
    if (dup !== undefined) problems.add([...at, 'pathPattern'], `duplicate path pattern (same as behaviors[${dup}])`);
    else patterns.set(norm, i);
    behaviors.push(resolveBehavior(b, at, ctx, problems));
  });
  const last = behaviorInputs[behaviorInputs.length - 1];
  if (last === undefined || last.pathPattern !== '*') {
    // No default given: CloudFront always has one; use the first origin, no functions, the defaults.
    const fallbackOrigin = data.origins[0]?.id ?? '';
    behaviors.push(resolveBehavior({ pathPattern: '*', origin: fallbackOrigin }, ['behaviors', behaviorInputs.length], ctx, problems));
  }

  const viewerHeaders = resolveViewerHeaders(data.viewerHeaders, problems);
  problems.throwIfAny();

  const distributionId = data.distributionId ?? DEFAULT_DISTRIBUTION_ID;
  const config: ResolvedConfig = {
    distributionId,
    // CloudFront domains are `d` + 13 lowercase alphanumerics; derive one that is stable per id.
    distributionDomainName: data.domainName ?? `d${md5(`domain:${distributionId}`).slice(0, 13)}.cloudfront.net`,
    pop: data.pop ?? DEFAULT_POP,
    viaHost: md5(distributionId),
    listen: {
      host: flags.host ?? data.listen?.host ?? DEFAULT_LISTEN.host,
      port: flags.port ?? data.listen?.port ?? DEFAULT_LISTEN.port,
    },
    origins: frozenMap(origins),
    functions: frozenMap(functions),
    behaviors,
    viewerHeaders,
    // spec §3.7: viewer 5 s, origin 30 s unless configured.
    defaultTimeouts: {
      viewer: Math.round((data.timeouts?.viewer ?? 5) * 1000),
      origin: Math.round((data.timeouts?.origin ?? 30) * 1000),
    },
    runtime: {
      maxWorkersPerFunction: data.runtime?.maxWorkersPerFunction ?? DEFAULT_WORKERS_PER_FUNCTION,
      accountConcurrency: data.runtime?.accountConcurrency ?? 1000,
      idleTimeoutMs: Math.round((data.runtime?.idleTimeout ?? 300) * 1000),
      prewarm: flags.prewarm ?? data.runtime?.prewarm ?? false,
    },
    cache: {
      maxBytes: flags.cacheSize ?? data.cache?.maxSize ?? DEFAULT_CACHE_BYTES,
      maxObjectBytes: data.cache?.maxObjectSize ?? DEFAULT_MAX_OBJECT_BYTES,
      errorCachingMinTtl: DEFAULT_ERROR_CACHING_MIN_TTL,
      customErrorTtls: frozenMap(new Map((data.customErrorResponses ?? []).map((r) => [r.errorCode, r.errorCachingMinTTL] as const))),
      cacheStatusHeader: data.cache?.cacheStatusHeader ?? false,
    },
    inspectorHeaders: flags.inspectorHeaders ?? data.inspector?.headers ?? false,
    admin:
      flags.adminPort !== undefined || data.admin !== undefined
        ? { host: data.admin?.host ?? '127.0.0.1', port: flags.adminPort ?? data.admin?.port ?? 0 }
        : undefined,
    log: {
      format: flags.logFormat ?? data.log?.format ?? 'text',
      level: flags.logLevel ?? data.log?.level ?? 'info',
      accessLogFile: flags.accessLog ?? (data.log?.accessLog === undefined ? undefined : path.resolve(baseDir, data.log.accessLog)),
    },
    limits: { ...LIMITS },
  };
  return deepFreeze(config);
}
