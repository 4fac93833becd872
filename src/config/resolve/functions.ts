// `functions[]` → ResolvedFunction, with its aliases (Lambda's versions and aliases,
// docs/cloudfront-reference.md §9.1), and the qualifier of an association (`auth:3`, `auth:live`).
// Whether a numbered version is published is known only to the code registry (runtime/code.ts).

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_FUNCTION_EXPORT, DEFAULT_MEMORY_SIZE_MB } from '../defaults.js';
import { frozenMap } from '../freeze.js';
import { formatPath, type PathSegment, type Problems } from '../problems.js';
import { type ParsedConfig, VERSION_NUMBER } from '../schema.js';
import type { ResolvedAlias, ResolvedFunction } from '../types.js';
import { resolveCffFunction } from './cff.js';

type FunctionInput = NonNullable<ParsedConfig['functions']>[number];
type AliasInput = NonNullable<FunctionInput['aliases']>;

export async function resolveFunction(
  f: FunctionInput,
  at: PathSegment[],
  baseDir: string,
  problems: Problems,
  keyValueStores: ReadonlySet<string> = new Set(),
): Promise<ResolvedFunction | undefined> {
  const cff = resolveCffFunction(f, at, keyValueStores, problems);
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
  const resolved: ResolvedFunction = {
    id: f.id,
    file,
    exportName: f.export ?? DEFAULT_FUNCTION_EXPORT,
    timeoutMs: f.timeout === undefined ? undefined : Math.round(f.timeout * 1000),
    memorySize: f.memorySize ?? DEFAULT_MEMORY_SIZE_MB,
    reservedConcurrency: f.reservedConcurrency,
    configPath: formatPath(at),
    aliases: frozenMap(resolveAliases(f.aliases, [...at, 'aliases'], problems)),
  };
  if (cff !== undefined) resolved.cff = cff;
  return resolved;
}

const NO_ALIASES: ReadonlyMap<string, ResolvedAlias> = frozenMap([]);

/** What the code registry needs about a function beyond running it. */
interface FunctionCodeSettings {
  /** Where the function is in the config, for messages: `functions[0]`. */
  configPath: string;
  aliases: ReadonlyMap<string, ResolvedAlias>;
}

/** A function's config path and aliases; a function built by hand (tests) has none of its own. */
export function functionCodeSettings(fn: ResolvedFunction): FunctionCodeSettings {
  return { configPath: fn.configPath ?? `functions[${JSON.stringify(fn.id)}]`, aliases: fn.aliases ?? NO_ALIASES };
}

/** Lambda's alias name rule (CreateAlias `Name`): letters, digits, `-`, `_`, 1–128, not all digits. */
const ALIAS_NAME = /^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/;

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
      problems.add(wat, `at most one additional version (Lambda's RoutingConfig, AWS rule: versions and aliases), got ${weights.length}`);
      continue;
    }
    let additional: ResolvedAlias['additional'];
    const first = weights[0];
    if (first !== undefined) {
      const [version, weight] = first;
      if (version === '$LATEST') problems.add([...wat, version], 'an alias must route to published versions, not $LATEST (AWS rule: versions and aliases)');
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

/** Why `qualifier` cannot name a version or alias of the function, or undefined when it can. */
export function qualifierProblem(qualifier: string, functionId: string, aliasNames: readonly string[]): string | undefined {
  if (qualifier === '$LATEST' || VERSION_NUMBER.test(qualifier)) return undefined;
  if (qualifier === '') return `nothing after ":" in "${functionId}:"; name a version ("${functionId}:1") or an alias`;
  if (/^[0-9]+$/.test(qualifier)) return `version numbers start at 1, got "${qualifier}"`;
  if (aliasNames.includes(qualifier)) return undefined;
  const known = aliasNames.length === 0 ? 'it has none' : `aliases: ${aliasNames.map((n) => `"${n}"`).join(', ')}`;
  return `function "${functionId}" has no alias "${qualifier}" (${known}); define it under the function's "aliases"`;
}
