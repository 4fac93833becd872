// CloudFront Functions in the config (docs/cloudfront-reference.md §20, §21): which functions are CloudFront
// Functions, their key value stores (the data file checked here, before listening), the settings a
// CloudFront Function does not have, and CloudFront's association rules — viewer events only, and
// never a CloudFront Function and a Lambda@Edge function on the viewer side of one behavior
// (CloudFront Developer Guide, "Restrictions on edge functions", edge-functions-restrictions.html).

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isCffRuntime, type CffRuntime } from '../../cff/limits.js';
import { KvsFileError, kvsIdFor, parseKvsData } from '../../cff/kvs.js';
import type { EventType } from '../../event/types.js';
import { frozenMap } from '../freeze.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { ResolvedKeyValueStore } from '../types.js';

type FunctionInput = NonNullable<ParsedConfig['functions']>[number];

/** A function's CloudFront Functions runtime, or undefined for a Lambda@Edge function. */
export function cffRuntimeOf(f: Pick<FunctionInput, 'runtime'>): CffRuntime | undefined {
  return isCffRuntime(f.runtime) ? f.runtime : undefined;
}

/** Lambda settings a CloudFront Function does not have. */
const LAMBDA_ONLY = ['export', 'timeout', 'memorySize', 'reservedConcurrency', 'aliases'] as const;

/**
 * Checks a function's CloudFront Functions fields and returns its `cff` part (undefined: Lambda@Edge).
 * `stores` are the key value stores' names.
 */
export function resolveCffFunction(
  f: FunctionInput,
  at: PathSegment[],
  stores: ReadonlySet<string>,
  problems: Problems,
): { runtime: CffRuntime; keyValueStore: string | undefined } | undefined {
  const runtime = cffRuntimeOf(f);
  const kvs = f.keyValueStore;
  if (runtime === undefined) {
    if (kvs !== undefined) problems.add([...at, 'keyValueStore'], 'only a CloudFront Function (runtime "cloudfront-js-2.0") can read a key value store');
    return undefined;
  }
  for (const key of LAMBDA_ONLY) {
    if (f[key] === undefined) continue;
    const why =
      key === 'export'
        ? 'CloudFront calls the top-level function named "handler"; nothing is exported'
        : key === 'aliases'
          ? 'CloudFront Functions have DEVELOPMENT and LIVE stages, not versions or aliases'
          : 'CloudFront Functions have a fixed 2 MB of memory and a compute budget (see "cff.compute") instead';
    problems.add([...at, key], `not a setting of a CloudFront Function (${runtime}): ${why}`);
  }
  let keyValueStore: string | undefined;
  if (kvs !== undefined) {
    const list = Array.isArray(kvs) ? kvs : [kvs];
    if (list.length > 1) problems.add([...at, 'keyValueStore'], `a CloudFront Function can be associated with at most one key value store, got ${list.length}`);
    keyValueStore = list[0];
    if (runtime === 'cloudfront-js-1.0') {
      problems.add([...at, 'keyValueStore'], 'key value stores need runtime "cloudfront-js-2.0" (cloudfront-js-1.0 has no cloudfront module)');
    } else if (keyValueStore !== undefined && !stores.has(keyValueStore)) {
      const known = stores.size === 0 ? 'none are declared under "keyValueStores"' : `declared: ${[...stores].map((s) => `"${s}"`).join(', ')}`;
      problems.add([...at, 'keyValueStore'], `unknown key value store "${keyValueStore}" (${known})`);
    }
  }
  return { runtime, keyValueStore };
}

/** `keyValueStores[]`: names unique, each data file readable and in CloudFront's import format. */
export async function resolveKeyValueStores(
  input: ParsedConfig['keyValueStores'],
  baseDir: string,
  problems: Problems,
): Promise<ReadonlyMap<string, ResolvedKeyValueStore>> {
  const out = new Map<string, ResolvedKeyValueStore>();
  const ids = new Map<string, string>();
  await Promise.all(
    (input ?? []).map(async (s, i) => {
      const at: PathSegment[] = ['keyValueStores', i];
      if (out.has(s.name)) {
        problems.add([...at, 'name'], `duplicate key value store name "${s.name}"`);
        return;
      }
      const file = path.resolve(baseDir, s.file);
      const id = s.id ?? kvsIdFor(s.name);
      const other = ids.get(id);
      if (other !== undefined) problems.add([...at, 'id'], `id ${id} is also the id of key value store "${other}"`);
      ids.set(id, s.name);
      out.set(s.name, { name: s.name, id, file });
      const st = await stat(file).catch(() => undefined);
      if (st === undefined || !st.isFile()) {
        problems.add([...at, 'file'], `file not found: ${file}`);
        return;
      }
      try {
        parseKvsData(await readFile(file, 'utf8'));
      } catch (e) {
        if (e instanceof KvsFileError) problems.add([...at, 'file'], `${file}: ${e.message}`);
        else throw e;
      }
    }),
  );
  return frozenMap(out);
}

/**
 * One behavior's associations against CloudFront's rules for CloudFront Functions: viewer events
 * only, no qualifier or body, and not beside a Lambda@Edge function on the viewer side.
 */
export function checkCffAssociations(
  functions: Partial<Record<EventType, { functionId: string; qualifier?: string; includeBody: boolean }>>,
  runtimes: ReadonlyMap<string, CffRuntime | undefined>,
  at: PathSegment[],
  problems: Problems,
): void {
  const kind = (event: EventType): 'cff' | 'lambda' | undefined => {
    const a = functions[event];
    if (a === undefined || !runtimes.has(a.functionId)) return undefined;
    return runtimes.get(a.functionId) === undefined ? 'lambda' : 'cff';
  };
  for (const event of ['origin-request', 'origin-response'] as const) {
    const a = functions[event];
    if (a !== undefined && kind(event) === 'cff') {
      problems.add([...at, 'functions', event], `"${a.functionId}" is a CloudFront Function (${runtimes.get(a.functionId)}); CloudFront Functions run at viewer-request and viewer-response only`);
    }
  }
  for (const event of ['viewer-request', 'viewer-response'] as const) {
    const a = functions[event];
    if (a === undefined || kind(event) !== 'cff') continue;
    if (a.qualifier !== undefined) problems.add([...at, 'functions', event], `"${a.functionId}" is a CloudFront Function: it has no versions or aliases (":${a.qualifier}")`);
    if (a.includeBody) problems.add([...at, 'functions', event, 'includeBody'], 'CloudFront Functions cannot read the request body');
  }
  const vr = kind('viewer-request');
  const vs = kind('viewer-response');
  if (vr !== undefined && vs !== undefined && vr !== vs) {
    const cffEvent = vr === 'cff' ? 'viewer-request' : 'viewer-response';
    const lambdaEvent = vr === 'cff' ? 'viewer-response' : 'viewer-request';
    problems.add(
      [...at, 'functions'],
      `a CloudFront Function ("${functions[cffEvent]?.functionId}" at ${cffEvent}) and a Lambda@Edge function ("${functions[lambdaEvent]?.functionId}" at ${lambdaEvent}) cannot both be on the viewer side of one behavior; CloudFront allows a CloudFront Function at the viewer events with Lambda@Edge at the origin events`,
    );
  }
}
