// The scenarios of docs/benchmarks.md, as data: what edgeproxy runs (config), what it is compared with
// (baseline), what the load generator sends, and what the response should look like.

import type { RequestSpec } from './lib/messages.js';
import { CACHEABLE_CC, NO_STORE_CC, ORIGIN_CONTENT_TYPE } from './servers/origin.js';

/** The config-file input as the lead published it (src/config/schema.ts's ConfigInput), as far as the bench uses it. */
interface EdgeConfigInput {
  origins: Array<{ id: string; url: string }>;
  functions: Array<{ id: string; file: string; export?: string; runtime?: string }>;
  behaviors: Array<{
    pathPattern: string;
    origin: string;
    functions?: Partial<Record<'viewer-request' | 'origin-request' | 'origin-response' | 'viewer-response', string | { function: string; includeBody: boolean }>>;
    cachePolicy: string;
  }>;
  listen: { host: string; port: number };
  /** Scenario b-capture: the inspector capturing every request (docs/inspector.md). */
  inspector?: { capture: boolean };
  admin?: { port: number };
}

export type ServerRole =
  | { kind: 'edgeproxy'; label: string; config: (originUrl: string) => EdgeConfigInput }
  /** Replays the target's sampled response, or `Scenario.fallback` when the target cannot run. */
  | { kind: 'limit'; label: string }
  | { kind: 'passthrough'; label: string }
  /** nginx in front of the same origin: `cache` = proxy_cache (hit), `pass` = proxy_pass (miss). n/a without nginx. */
  | { kind: 'nginx'; label: string; mode: 'cache' | 'pass' }
  /** The scenario's origin itself, measured directly (calibration only). */
  | { kind: 'origin'; label: string };

/** The response the limit server sends when edgeproxy is not there to be sampled: CloudFront's shape (docs/cloudfront-reference.md §5.4). */
export interface FallbackResponse {
  status: number;
  contentType: string;
  cacheControl: string;
  bodyBytes: number;
  xCache: string;
  /** Headers a function adds (b: the viewer-response header) so the byte count still matches. */
  extraHeaders: Array<[string, string]>;
  age: boolean;
}

export interface Scenario {
  name: string;
  /** One line: what the scenario measures. */
  title: string;
  target: ServerRole;
  baseline: ServerRole;
  /** Calibration scenarios check the harness itself; they run only when named in --scenario. */
  calibration?: boolean;
  /** Comparisons beyond the set (CloudFront Functions): they too run only when named in --scenario. */
  optIn?: boolean;
  request: RequestSpec;
  /** Send the request twice before measuring, so a cacheable response is stored and the sample is a hit. */
  primeForHit: boolean;
  /** X-Cache value (before " from cloudfront") the target should answer with; a mismatch is shown as a note ('' = none expected). */
  expectXCache: string;
  /** Only for limit baselines. */
  fallback?: FallbackResponse;
  /** Scenario g: fill the cache with `count` objects before measuring (bounded in count and time). */
  prefill?: { prefix: string; count: number };
}

const FN = {
  vreq: { id: 'vreq', file: 'set-header-viewer-request.mjs' },
  vres: { id: 'vres', file: 'set-header-viewer-response.mjs' },
  oreq: { id: 'oreq', file: 'set-header-origin-request.mjs' },
  ores: { id: 'ores', file: 'set-header-origin-response.mjs' },
  readBody: { id: 'readBody', file: 'read-body.mjs' },
  generate: { id: 'generate', file: 'generate.mjs' },
  /** The same rewrite as vreq, as a CloudFront Function. */
  vreqCff: { id: 'vreqCff', file: 'set-header-viewer-request-cff.js', runtime: 'cloudfront-js-2.0' },
} as const;

type Fn = { id: string; file: string; runtime?: string };
type Assoc = NonNullable<EdgeConfigInput['behaviors'][number]['functions']>;

function edge(label: string, fns: Fn[], functions: Assoc, cachePolicy = 'CachingOptimized', capture = false): Extract<ServerRole, { kind: 'edgeproxy' }> {
  return {
    kind: 'edgeproxy',
    label,
    config: (originUrl) => ({
      origins: [{ id: 'origin', url: originUrl }],
      functions: fns.map((f) => (f.runtime === undefined ? { id: f.id, file: f.file } : { id: f.id, file: f.file, runtime: f.runtime })),
      behaviors: [{ pathPattern: '*', origin: 'origin', functions, cachePolicy }],
      listen: { host: '127.0.0.1', port: 0 },
      ...(capture ? { inspector: { capture: true }, admin: { port: 0 } } : {}),
    }),
  };
}

const LIMIT: ServerRole = { kind: 'limit', label: 'limit' };
const PASSTHROUGH: ServerRole = { kind: 'passthrough', label: 'passthrough' };

function hitFallback(bodyBytes: number, extraHeaders: Array<[string, string]> = []): FallbackResponse {
  return { status: 200, contentType: ORIGIN_CONTENT_TYPE, cacheControl: CACHEABLE_CC, bodyBytes, xCache: 'Hit', extraHeaders, age: true };
}

const get = (path: string): RequestSpec => ({ method: 'GET', path });

const noFunctions = edge('edgeproxy', [], {});
/**
 * Misses need a policy with MinTTL 0: under CachingOptimized (MinTTL 1 s) CloudFront keeps even a
 * `no-store` answer for a second (docs/cloudfront-reference.md §6.5), and c/d would measure hits. UseOriginCacheControlHeaders
 * is AWS's managed policy that defers to the origin (MinTTL 0).
 */
const MISS_POLICY = 'UseOriginCacheControlHeaders';
/** Scenario c's target; also scenario d's baseline. */
const missNoFunctions = edge('edgeproxy', [], {}, MISS_POLICY);

/** 100k distinct small objects for g; 512 B bodies keep the cache ~60 MB with headers and keys. */
const G_OBJECTS = 100_000;
const G_BODY_BYTES = 512;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a-1k',
    title: 'cache hit, no functions, 1 KiB body',
    target: noFunctions,
    baseline: LIMIT,
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: 'Hit',
    fallback: hitFallback(1024),
  },
  {
    name: 'a-64k',
    title: 'cache hit, no functions, 64 KiB body',
    target: noFunctions,
    baseline: LIMIT,
    request: get('/cache/65536'),
    primeForHit: true,
    expectXCache: 'Hit',
    fallback: hitFallback(65536),
  },
  {
    name: 'b',
    title: 'cache hit, viewer-request + viewer-response functions each set a header, 1 KiB',
    target: edge('edgeproxy', [FN.vreq, FN.vres], { 'viewer-request': 'vreq', 'viewer-response': 'vres' }),
    baseline: LIMIT,
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: 'Hit',
    fallback: hitFallback(1024, [['X-Bench-Viewer-Response', '1']]),
  },
  {
    name: 'c',
    title: 'miss (origin answers no-store), no functions, 1 KiB',
    target: missNoFunctions,
    baseline: PASSTHROUGH,
    request: get('/nostore/1024'),
    primeForHit: false,
    expectXCache: 'Miss',
  },
  {
    name: 'd',
    title: 'miss with all four functions (each sets a header), 1 KiB',
    target: edge('edgeproxy', [FN.vreq, FN.oreq, FN.ores, FN.vres], {
      'viewer-request': 'vreq',
      'origin-request': 'oreq',
      'origin-response': 'ores',
      'viewer-response': 'vres',
    }, MISS_POLICY),
    baseline: { ...missNoFunctions, label: 'scenario c' },
    request: get('/nostore/1024'),
    primeForHit: false,
    expectXCache: 'Miss',
  },
  {
    name: 'e',
    title: 'POST 16 KiB, viewer-request with includeBody reads the body',
    target: edge('edgeproxy', [FN.readBody], { 'viewer-request': { function: 'readBody', includeBody: true } }),
    baseline: PASSTHROUGH,
    request: { method: 'POST', path: '/echo', bodyBytes: 16 * 1024 },
    primeForHit: false,
    expectXCache: 'Miss',
  },
  {
    name: 'f',
    title: 'response generated at viewer-request (1 KiB)',
    target: edge('edgeproxy', [FN.generate], { 'viewer-request': 'generate' }),
    baseline: LIMIT,
    request: get('/generated'),
    primeForHit: false,
    expectXCache: 'LambdaGeneratedResponse',
    fallback: { status: 200, contentType: 'text/plain', cacheControl: NO_STORE_CC, bodyBytes: 1024, xCache: 'LambdaGeneratedResponse', extraHeaders: [], age: false },
  },
  {
    name: 'n-hit',
    title: 'nginx proxy_cache hit, 1 KiB (what a user would pick instead; n/a without nginx)',
    target: { kind: 'nginx', label: 'nginx cache', mode: 'cache' },
    baseline: LIMIT,
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: '',
    fallback: hitFallback(1024),
  },
  {
    name: 'n-miss',
    title: 'nginx proxy_pass, origin answers no-store, 1 KiB (n/a without nginx)',
    target: { kind: 'nginx', label: 'nginx pass', mode: 'pass' },
    baseline: PASSTHROUGH,
    request: get('/nostore/1024'),
    primeForHit: false,
    expectXCache: '',
  },
  {
    name: 'b-capture',
    title: "scenario b with the inspector capturing every request, against b without it (baseline): capture's cost",
    target: edge('edgeproxy+capture', [FN.vreq, FN.vres], { 'viewer-request': 'vreq', 'viewer-response': 'vres' }, 'CachingOptimized', true),
    baseline: edge('edgeproxy', [FN.vreq, FN.vres], { 'viewer-request': 'vreq', 'viewer-response': 'vres' }),
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: 'Hit',
    optIn: true,
  },
  {
    name: 'h-cff',
    title: 'cache hit, a CloudFront Function (2.0) at viewer-request sets a request header, 1 KiB',
    target: edge('edgeproxy', [FN.vreqCff], { 'viewer-request': 'vreqCff' }),
    baseline: LIMIT,
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: 'Hit',
    fallback: hitFallback(1024),
    optIn: true,
  },
  {
    name: 'h-cff-vs-lambda',
    title: 'the same hit: the header set by a CloudFront Function vs by a Lambda@Edge function (baseline)',
    target: edge('edgeproxy', [FN.vreqCff], { 'viewer-request': 'vreqCff' }),
    baseline: edge('lambda@edge', [FN.vreq], { 'viewer-request': 'vreq' }),
    request: get('/cache/1024'),
    primeForHit: true,
    expectXCache: 'Hit',
    optIn: true,
  },
  {
    name: 'g',
    title: `hit under a cache of ${G_OBJECTS / 1000}k distinct ${G_BODY_BYTES} B objects, keys at random`,
    target: noFunctions,
    baseline: LIMIT,
    request: { method: 'GET', path: `/cache/${G_BODY_BYTES}/obj/0`, randomPath: { prefix: `/cache/${G_BODY_BYTES}/obj/`, count: G_OBJECTS } },
    primeForHit: true,
    expectXCache: 'Hit',
    fallback: hitFallback(G_BODY_BYTES),
    prefill: { prefix: `/cache/${G_BODY_BYTES}/obj/`, count: G_OBJECTS },
  },
];

/**
 * Checks of the harness, not of edgeproxy: the limit against itself must come out at ≈1.00 (the
 * ratio's noise floor on this machine), and the bare passthrough against the origin it forwards to
 * reproduces perf-notes' "naive Node passthrough" row.
 */
export const CALIBRATION: readonly Scenario[] = [
  {
    name: 'cal-limit',
    title: 'calibration: limit server vs itself (ratio should be ≈1.00)',
    target: LIMIT,
    baseline: LIMIT,
    request: get('/cache/1024'),
    primeForHit: false,
    expectXCache: 'Hit',
    fallback: hitFallback(1024),
    calibration: true,
  },
  {
    name: 'cal-passthrough',
    title: 'calibration: bare passthrough vs the origin it forwards to, 1 KiB',
    target: PASSTHROUGH,
    baseline: { kind: 'origin', label: 'origin' },
    request: get('/nostore/1024'),
    primeForHit: false,
    expectXCache: '',
    calibration: true,
  },
];

/**
 * `--scenario a*,c` → the matching scenarios in table order; throws naming the filter that matched
 * nothing. Without a filter: the scenarios, not the calibration ones.
 */
export function selectScenarios(filter: string | undefined, all: readonly Scenario[] = [...SCENARIOS, ...CALIBRATION]): Scenario[] {
  if (filter === undefined || filter.trim() === '') return all.filter((s) => !s.calibration && !s.optIn);
  const patterns = filter.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const picked = new Set<string>();
  for (const p of patterns) {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const hits = all.filter((s) => re.test(s.name));
    if (hits.length === 0) throw new Error(`--scenario: "${p}" matches no scenario (have: ${all.map((s) => s.name).join(', ')})`);
    for (const h of hits) picked.add(h.name);
  }
  return all.filter((s) => picked.has(s.name));
}
