// The config file's shape (what users write), checked with zod strict objects so a misspelt key is
// an error, not a silently ignored setting. Cross-field rules (ids exist, `*` last, files exist)
// live in load.ts; this file only knows shapes and single-field ranges. Issues become one line per
// problem naming its path: `behaviors[1].functions.viewer-request: ...`.

import { z } from 'zod';

// ---- CloudFront facts used by the schema and by load.ts --------------------------------------

/** RFC 9110 §5.1 field-name token. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Origin custom headers CloudFront refuses to add (spec §3.4), plus the headers Lambda@Edge never
 * exposes (spec §3.1), because a custom header appears in `request.origin.custom.customHeaders` and
 * may not contain those either (spec §1.4). Lowercase; entries ending in `*` are prefixes.
 */
export const FORBIDDEN_ORIGIN_CUSTOM_HEADERS: readonly string[] = [
  // spec §3.4 "Origin custom headers cannot be any of"
  'cache-control', 'connection', 'content-length', 'cookie', 'host', 'if-match', 'if-modified-since',
  'if-none-match', 'if-range', 'if-unmodified-since', 'max-forwards', 'pragma', 'proxy-authorization',
  'proxy-connection', 'range', 'request-range', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
  'x-amz-*', 'x-edge-*', 'x-real-ip',
  // spec §3.1 disallowed headers
  'expect', 'keep-alive', 'proxy-authenticate', 'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate',
  'x-accel-redirect', 'x-amzn-auth', 'x-amzn-cf-billing', 'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype',
  'x-amzn-fle-profile', 'x-amzn-header-count', 'x-amzn-header-order', 'x-amzn-lambda-integration-tag',
  'x-amzn-requestid', 'x-cache', 'x-forwarded-proto',
];

export function isForbiddenOriginCustomHeader(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_ORIGIN_CUSTOM_HEADERS.some((f) => (f.endsWith('*') ? n.startsWith(f.slice(0, -1)) : n === f));
}

/** CloudFront-* viewer headers CloudFront can add (spec §7), lowercase. */
export const CLOUDFRONT_VIEWER_HEADERS: readonly string[] = [
  'cloudfront-is-android-viewer', 'cloudfront-is-desktop-viewer', 'cloudfront-is-ios-viewer',
  'cloudfront-is-mobile-viewer', 'cloudfront-is-smarttv-viewer', 'cloudfront-is-tablet-viewer',
  'cloudfront-viewer-address', 'cloudfront-viewer-asn', 'cloudfront-viewer-country', 'cloudfront-viewer-city',
  'cloudfront-viewer-country-name', 'cloudfront-viewer-country-region', 'cloudfront-viewer-country-region-name',
  'cloudfront-viewer-latitude', 'cloudfront-viewer-longitude', 'cloudfront-viewer-metro-code',
  'cloudfront-viewer-postal-code', 'cloudfront-viewer-time-zone', 'cloudfront-viewer-header-order',
  'cloudfront-viewer-header-count', 'cloudfront-forwarded-proto', 'cloudfront-viewer-http-version',
  'cloudfront-viewer-ja3-fingerprint', 'cloudfront-viewer-tls',
];

/** CloudFront headers allowed in an origin request policy but not in a cache policy (spec §6.2). */
export const ORIGIN_REQUEST_POLICY_ONLY_HEADERS: readonly string[] = [
  'cloudfront-viewer-address', 'cloudfront-viewer-asn', 'cloudfront-viewer-ja3-fingerprint', 'cloudfront-viewer-tls',
];

/** CloudFront's three allowed-method sets and two cached-method sets, in CloudFront's order. */
export const ALLOWED_METHOD_SETS: readonly (readonly string[])[] = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
  ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
];
export const CACHED_METHOD_SETS: readonly (readonly string[])[] = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
];

/** Max names per list in a cache policy (spec §6.2). */
export const MAX_CACHE_POLICY_NAMES = 10;

// ---- building blocks -------------------------------------------------------------------------

/** Seconds: a finite number > 0 and ≤ max. Fractions are accepted so tests can use short timeouts. */
function seconds(max: number) {
  return z
    .number()
    .positive({ error: 'must be a number of seconds > 0' })
    .max(max, { error: `must be at most ${max} seconds` });
}

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const names = z.array(nonEmpty).min(1, { error: 'must list at least one name' });

const listBehavior = <T extends string>(behaviors: readonly [T, ...T[]]) =>
  z.strictObject({ behavior: z.enum(behaviors), names });

/** Query strings / cookies: `"none"`, `"all"`, or `{ behavior: "whitelist" | "allExcept", names }`. */
const nameSelection = z.union([
  z.enum(['none', 'all']),
  z.discriminatedUnion('behavior', [
    z.strictObject({ behavior: z.literal('none') }),
    z.strictObject({ behavior: z.literal('all') }),
    listBehavior(['whitelist', 'allExcept']),
  ]),
]);

const cacheHeaderSelection = z.union([
  z.literal('none'),
  z.discriminatedUnion('behavior', [z.strictObject({ behavior: z.literal('none') }), listBehavior(['whitelist'])]),
]);

const originHeaderSelection = z.union([
  z.enum(['none', 'allViewer']),
  z.discriminatedUnion('behavior', [
    z.strictObject({ behavior: z.literal('none') }),
    z.strictObject({ behavior: z.literal('allViewer') }),
    listBehavior(['allViewerAndWhitelistCloudFront', 'whitelist', 'allExcept']),
  ]),
]);

/** TTLs in seconds; CloudFront takes whole seconds, fractions are accepted for fast tests. */
const ttl = z.number().min(0, { error: 'must be a number of seconds >= 0' });

export const cachePolicySchema = z.strictObject({
  name: nonEmpty.optional(),
  minTTL: ttl.optional(),
  defaultTTL: ttl.optional(),
  maxTTL: ttl.optional(),
  queryStrings: nameSelection.optional(),
  headers: cacheHeaderSelection.optional(),
  cookies: nameSelection.optional(),
  enableAcceptEncodingGzip: z.boolean().optional(),
  enableAcceptEncodingBrotli: z.boolean().optional(),
});

export const originRequestPolicySchema = z.strictObject({
  name: nonEmpty.optional(),
  queryStrings: nameSelection.optional(),
  headers: originHeaderSelection.optional(),
  cookies: nameSelection.optional(),
});

/** `"auth"`, `"auth:3"` (a version), `"auth:live"` (an alias) or `"auth:$LATEST"`; split in load.ts (spec §9.1). */
const functionRef = z.union([
  nonEmpty,
  z.strictObject({ function: nonEmpty, includeBody: z.boolean().optional() }),
]);

const associations = z.strictObject({
  'viewer-request': functionRef.optional(),
  'origin-request': functionRef.optional(),
  'origin-response': functionRef.optional(),
  'viewer-response': functionRef.optional(),
});

const methods = z.array(z.string());

export const originSchema = z.strictObject({
  id: nonEmpty,
  url: nonEmpty,
  /** spec §1.4 / CloudFront origin settings: response timeout 1–120 s, default 30. */
  readTimeout: seconds(120).optional(),
  /** keep-alive timeout 1–120 s (60 without a quota increase), default 5. */
  keepaliveTimeout: seconds(120).optional(),
  /** connection timeout 1–10 s, default 10. */
  connectTimeout: seconds(10).optional(),
  customHeaders: z.record(z.string(), z.string()).optional(),
  sslProtocols: z
    .array(z.enum(['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3']))
    .min(1, { error: 'must list at least one protocol' })
    .optional(),
});

/** Bytes as a number, or a string with a unit: "256MiB", "1GB", "512k". */
export const byteSize = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const n = parseByteSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 268435456, "256MiB" or "1GB", got "${v}"` });
    return z.NEVER;
  }
  return n;
});

const UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3,
};

export function parseByteSize(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.round(Number(m[1]) * unit);
  return n > 0 ? n : undefined;
}

/** A published version number as Lambda spells it: `"1"`, `"2"`… (spec §9.1). */
export const VERSION_NUMBER = /^[1-9][0-9]*$/;

/** An alias's target: a published numbered version; `2` and `"2"` are both accepted. */
const aliasVersion = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v);
  if (s === '$LATEST') {
    ctx.addIssue({ code: 'custom', message: 'an alias must point at a published version number, not $LATEST (spec §9.1)' });
    return z.NEVER;
  }
  if (!VERSION_NUMBER.test(s)) {
    ctx.addIssue({ code: 'custom', message: `must be a published version number like "2", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return s;
});

/**
 * Lambda's alias (CreateAlias): `version` plus RoutingConfig's `additionalVersionWeights`
 * (`{ "3": 0.1 }` → 10 % of invocations run version 3). Key rules (at most one, a number, not the
 * primary) are checked in load.ts so the message can name the key.
 */
export const aliasSchema = z.strictObject({
  version: aliasVersion,
  additionalVersionWeights: z
    .record(
      z.string(),
      z
        .number({ error: 'must be a weight between 0 and 1' })
        .min(0, { error: 'must be a weight between 0 and 1' })
        .max(1, { error: 'must be a weight between 0 and 1' }),
    )
    .optional(),
  description: z.string().max(256, { error: 'must be at most 256 characters' }).optional(),
});

export const functionSchema = z.strictObject({
  id: nonEmpty,
  file: nonEmpty,
  export: z
    .string()
    .regex(/^[A-Za-z_$][\w$]*$/, { error: 'must be a JavaScript export name, e.g. "handler"' })
    .optional(),
  /** Lambda@Edge's ceiling is 30 s for every trigger in every doc version (spec §3.7). */
  timeout: seconds(30).optional(),
  memorySize: z
    .number()
    .int({ error: 'must be a whole number of MB' })
    .min(128, { error: 'must be at least 128 (MB)' })
    .max(10240, { error: 'must be at most 10240 (MB)' })
    .optional(),
  /** Lambda's reserved concurrency (spec §9.2). */
  reservedConcurrency: z.number().int({ error: 'must be a whole number' }).min(0, { error: 'must be at least 0' }).optional(),
  /** Named pointers to published versions (spec §9.1): `{ "live": { "version": "2" } }`. */
  aliases: z.record(z.string(), aliasSchema).optional(),
});

export const behaviorSchema = z.strictObject({
  pathPattern: z.string(),
  origin: nonEmpty.optional(),
  functions: associations.optional(),
  cachePolicy: z.union([nonEmpty, cachePolicySchema]).optional(),
  originRequestPolicy: z.union([nonEmpty, originRequestPolicySchema, z.null()]).optional(),
  compress: z.boolean().optional(),
  allowedMethods: methods.optional(),
  cachedMethods: methods.optional(),
});

const port = z
  .number()
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be a port number 0-65535' })
  .max(65535, { error: 'must be a port number 0-65535' });

export const configSchema = z.strictObject({
  distributionId: z
    .string()
    .regex(/^[A-Z0-9]{1,32}$/, { error: 'must be 1-32 uppercase letters or digits, like "EDFDVBD6EXAMPLE"' })
    .optional(),
  domainName: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, {
      error: 'must be a lowercase DNS name, like "d111111abcdef8.cloudfront.net"',
    })
    .optional(),
  pop: z
    .string()
    .regex(/^[A-Z]{3}[0-9]{1,3}-[A-Z0-9]{1,4}$/, { error: 'must look like "IAD79-C3"' })
    .optional(),
  listen: z.strictObject({ host: nonEmpty.optional(), port: port.optional() }).optional(),
  origins: z.array(originSchema).min(1, { error: 'must define at least one origin' }),
  functions: z.array(functionSchema).optional(),
  behaviors: z.array(behaviorSchema).optional(),
  viewerHeaders: z.record(z.string(), z.string()).optional(),
  timeouts: z.strictObject({ viewer: seconds(30).optional(), origin: seconds(30).optional() }).optional(),
  runtime: z
    .strictObject({
      maxWorkersPerFunction: z
        .number()
        .int({ error: 'must be a whole number' })
        .min(1, { error: 'must be at least 1' })
        .max(256, { error: 'must be at most 256' })
        .optional(),
      accountConcurrency: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).optional(),
      idleTimeout: z.number().positive({ error: 'must be a number of seconds > 0' }).optional(),
      prewarm: z.boolean().optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      maxSize: byteSize.optional(),
      maxObjectSize: byteSize.optional(),
      cacheStatusHeader: z.boolean().optional(),
    })
    .optional(),
  /** CloudFront's CustomErrorResponses; only ErrorCachingMinTTL is modelled. */
  customErrorResponses: z
    .array(
      z.strictObject({
        errorCode: z.number().int().min(400, { error: 'must be an HTTP error status 400-599' }).max(599, { error: 'must be an HTTP error status 400-599' }),
        errorCachingMinTTL: z.number().min(0, { error: 'must be ≥ 0 seconds' }),
      }),
    )
    .optional(),
  admin: z.strictObject({ host: nonEmpty.optional(), port: port.optional() }).optional(),
  /** Adds X-Edgeproxy-Executed-Version and Server-Timing to responses. */
  inspector: z.strictObject({ headers: z.boolean().optional() }).optional(),
  log: z
    .strictObject({
      format: z.enum(['text', 'json']).optional(),
      /** Lines below this level are dropped; `warn` silences START/END/REPORT and functions' console lines. */
      level: z.enum(['info', 'warn', 'error']).optional(),
      accessLog: nonEmpty.optional(),
    })
    .optional(),
});

/** What a config file (or `defineConfig`) may contain. */
export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type CachePolicyInput = z.output<typeof cachePolicySchema>;
export type OriginRequestPolicyInput = z.output<typeof originRequestPolicySchema>;

// ---- turning zod issues into lines people can act on -----------------------------------------

export type PathSegment = string | number;

/** `behaviors[1].functions.viewer-request` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Every key any schema object accepts, to suggest the right spelling for an unknown key. */
const KNOWN_KEYS: readonly string[] = [
  ...new Set([
    ...Object.keys(configSchema.shape),
    ...Object.keys(originSchema.shape),
    ...Object.keys(functionSchema.shape),
    ...Object.keys(behaviorSchema.shape),
    ...Object.keys(cachePolicySchema.shape),
    ...Object.keys(originRequestPolicySchema.shape),
    ...Object.keys(associations.shape),
    ...Object.keys(aliasSchema.shape),
    'host', 'port', 'viewer', 'origin', 'maxWorkersPerFunction', 'function', 'includeBody', 'behavior', 'names',
  ]),
];

/** Levenshtein distance, for "did you mean" on short keys only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function suggestKey(key: string): string {
  const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  const lower = norm(key);
  const hit =
    KNOWN_KEYS.find((k) => norm(k) === lower) ??
    (key.length >= 4 ? KNOWN_KEYS.find((k) => distance(norm(k), lower) <= 2) : undefined);
  return hit !== undefined && hit !== key ? ` (did you mean "${hit}"?)` : '';
}

export interface Problem {
  path: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

function depth(issues: readonly Issue[]): number {
  return issues.reduce((m, i) => Math.max(m, i.path.length), 0);
}

function rootTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.path.length === 0 && i.code === 'invalid_type');
}

/** What a union branch wanted, when the value did not even have the branch's type. */
function expectation(issues: readonly Issue[]): string {
  const root = issues.find((i) => i.path.length === 0);
  if (root === undefined) return 'a different value';
  if (root.code === 'invalid_value') return root.values.map((v) => JSON.stringify(v)).join(' | ');
  if (root.code === 'invalid_type') return root.expected === 'object' ? 'an object' : `a ${root.expected}`;
  if (root.code === 'invalid_union' && root.errors.length === 0 && 'options' in root) {
    return `an object with "behavior"`;
  }
  return 'a different value';
}

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'is required';
      return issue.message.replace(/^Invalid input: /, '').replace('received', 'got');
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return issue.message;
    default:
      return issue.message;
  }
}

/**
 * Flatten zod issues into problems. For a union, report the branch the value got furthest into
 * (the one whose errors are deepest), so `{ "behavior": "whitelist" }` says `names: is required`
 * rather than "expected a string".
 */
export function issuesToProblems(issues: readonly Issue[], base: readonly PathSegment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), message: `unknown field${suggestKey(key)}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors;
      if (branches.every((b) => depth(b) === 0 && b.every((i) => i.path.length === 0))) {
        const wanted = [...new Set(branches.map(expectation))].join(', or ');
        out.push({ path: formatPath(path), message: `expected ${wanted}` });
        continue;
      }
      let best = branches[0] ?? [];
      for (const b of branches) {
        const better =
          depth(b) > depth(best) || (depth(b) === depth(best) && rootTypeMismatch(best) && !rootTypeMismatch(b));
        if (better) best = b;
      }
      out.push(...issuesToProblems(best, path));
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
      out.push({
        path: formatPath(path),
        message: `must be one of ${options.map((o: unknown) => JSON.stringify(o)).join(', ')}`,
      });
    } else {
      out.push({ path: formatPath(path), message: describeIssue(issue) });
    }
  }
  return out;
}
