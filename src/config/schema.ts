// The config file's shape (what users write), checked with zod strict objects so a misspelt key is
// an error, not a silently ignored setting. Cross-field rules (ids exist, `*` last, files exist)
// live in the resolvers (resolve/); this file only knows shapes and single-field ranges. Issues
// become one line per problem naming its path (problems.ts): `behaviors[1].functions.viewer-request: ...`.

import { z } from 'zod';
import { GEO_RESTRICTION_TYPES, HTTP_VERSIONS, ORIGIN_GROUP_SELECTION_CRITERIA, ORIGIN_SSL_PROTOCOLS, VIEWER_PROTOCOL_POLICIES } from '../rules/cloudfront.js';
import { lambdaFunctionSchema, lambdaSchema } from './lambda.js';
import { nonEmpty } from './schema-blocks.js';
import { keyGroupSchema, publicKeySchema, responseHeadersPolicySchema } from './schema-distribution.js';

export type { ResponseHeadersPolicyInput } from './schema-distribution.js';

// ---- building blocks -------------------------------------------------------------------------

/** Seconds: a finite number > 0 and ≤ max. Fractions are accepted so tests can use short timeouts. */
function seconds(max: number) {
  return z
    .number()
    .positive({ error: 'must be a number of seconds > 0' })
    .max(max, { error: `must be at most ${max} seconds` });
}


/** A function's runtime: CloudFront Functions' two, or the Node.js runtimes Lambda@Edge offers. */
export const FUNCTION_RUNTIMES = ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x'] as const;

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

/** `"auth"`, `"auth:3"` (a version), `"auth:live"` (an alias) or `"auth:$LATEST"`; split in resolve/functions.ts (docs/cloudfront-reference.md §9.1). */
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
  /** docs/cloudfront-reference.md §1.4 / CloudFront origin settings: response timeout 1–120 s, default 30. */
  readTimeout: seconds(120).optional(),
  /** keep-alive timeout 1–120 s (60 without a quota increase), default 5. */
  keepaliveTimeout: seconds(120).optional(),
  /** connection timeout 1–10 s, default 10. */
  connectTimeout: seconds(10).optional(),
  customHeaders: z.record(z.string(), z.string()).optional(),
  sslProtocols: z
    .array(z.enum(ORIGIN_SSL_PROTOCOLS))
    .min(1, { error: 'must list at least one protocol' })
    .optional(),
});

/**
 * CloudFront's OriginGroup (docs/cloudfront-reference.md §14): two origins, primary first, and the
 * statuses that fail over. Member count, ids and codes are checked in resolve/origin-groups.ts so the
 * message can name the member.
 */
export const originGroupSchema = z.strictObject({
  id: nonEmpty,
  members: z.array(z.union([nonEmpty, z.strictObject({ originId: nonEmpty })])),
  failoverCriteria: z.strictObject({ statusCodes: z.array(z.number().int({ error: 'must be a whole HTTP status' })) }),
  selectionCriteria: z.enum(ORIGIN_GROUP_SELECTION_CRITERIA, { error: `must be one of ${ORIGIN_GROUP_SELECTION_CRITERIA.join(', ')}` }).optional(),
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

/** A published version number as Lambda spells it: `"1"`, `"2"`… (docs/cloudfront-reference.md §9.1). */
export const VERSION_NUMBER = /^[1-9][0-9]*$/;

/** An alias's target: a published numbered version; `2` and `"2"` are both accepted. */
const aliasVersion = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v);
  if (s === '$LATEST') {
    ctx.addIssue({ code: 'custom', message: 'an alias must point at a published version number, not $LATEST (AWS rule: versions and aliases)' });
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
 * primary) are checked in resolve/functions.ts so the message can name the key.
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
  /** Lambda@Edge's ceiling is 30 s for every trigger in every doc version (docs/cloudfront-reference.md §3.7). */
  timeout: seconds(30).optional(),
  memorySize: z
    .number()
    .int({ error: 'must be a whole number of MB' })
    .min(128, { error: 'must be at least 128 (MB)' })
    .max(10240, { error: 'must be at most 10240 (MB)' })
    .optional(),
  /** Lambda's reserved concurrency (docs/cloudfront-reference.md §9.2). */
  reservedConcurrency: z.number().int({ error: 'must be a whole number' }).min(0, { error: 'must be at least 0' }).optional(),
  /** Named pointers to published versions (docs/cloudfront-reference.md §9.1): `{ "live": { "version": "2" } }`. */
  aliases: z.record(z.string(), aliasSchema).optional(),
  /**
   * `cloudfront-js-1.0` / `cloudfront-js-2.0` make it a CloudFront Function (docs/cloudfront-reference.md §22);
   * a Node.js runtime name, or none, a Lambda@Edge function.
   */
  runtime: z.enum(FUNCTION_RUNTIMES, { error: `must be one of ${FUNCTION_RUNTIMES.join(', ')}` }).optional(),
  /** The key value store (by name) a CloudFront Function reads with cf.kvs(); at most one (CloudFront's quota). */
  keyValueStore: z.union([nonEmpty, z.array(nonEmpty)]).optional(),
});

/** A CloudFront KeyValueStore: its name and the data file (CloudFront's import format) it holds. */
export const keyValueStoreSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 letters, digits, "-" or "_" (CreateKeyValueStore Name)' }),
  file: nonEmpty,
  /** The id `cf.kvs(id)` names; derived from the name when absent. */
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: 'must be a lowercase UUID like "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"' })
    .optional(),
});

/** How CloudFront Functions run here (docs/cloudfront-reference.md §22.4, §30). */
export const cffSchema = z.strictObject({
  /** The feature check's warnings become load errors. */
  strict: z.boolean().optional(),
  compute: z
    .strictObject({
      budgetMs: z.number().positive({ error: 'must be a number of milliseconds > 0' }).max(1000, { error: 'must be at most 1000 ms' }).optional(),
      mode: z.enum(['warn', 'strict']).optional(),
      hardCapMs: z.number().positive({ error: 'must be a number of milliseconds > 0' }).max(60_000, { error: 'must be at most 60000 ms' }).optional(),
      throttle: z.boolean().optional(),
      throttleCoolDown: seconds(3600).optional(),
    })
    .optional(),
  runTimeout: seconds(30).optional(),
  maxBodySize: byteSize.optional(),
  viewerResponseStatusChange: z.boolean().optional(),
  edgeLocation: z
    .strictObject({
      name: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an IATA airport code like "SEA"' }).optional(),
      serverIp: nonEmpty.optional(),
      region: nonEmpty.optional(),
    })
    .optional(),
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
  /** A managed policy's name or ID, or a custom policy (§13). */
  responseHeadersPolicy: z.union([nonEmpty, responseHeadersPolicySchema]).optional(),
  /** TrustedKeyGroups (§15.1): key group IDs or names; the behavior then serves only signed URLs and signed cookies. */
  trustedKeyGroups: z.array(nonEmpty).optional(),
  /** docs/cloudfront-reference.md §16: what an HTTP (not HTTPS) viewer request gets. */
  viewerProtocolPolicy: z.enum(VIEWER_PROTOCOL_POLICIES, { error: `must be one of ${VIEWER_PROTOCOL_POLICIES.join(', ')}` }).optional(),
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
  listen: z
    .strictObject({
      host: nonEmpty.optional(),
      port: port.optional(),
      // The viewer connection limits (src/viewer/listener.ts); defaults in src/config/defaults.ts.
      requestHeadTimeout: seconds(300).optional(),
      keepAliveTimeout: seconds(300).optional(),
      requestBodyTimeout: seconds(300).optional(),
      maxPendingConnections: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).optional(),
      /** The HTTPS viewer listener (docs/cloudfront-reference.md §16); cert and key files, or a self-signed certificate made at start. */
      https: z
        .strictObject({
          host: nonEmpty.optional(),
          port: port.optional(),
          cert: nonEmpty.optional(),
          key: nonEmpty.optional(),
        })
        .optional(),
    })
    .optional(),
  /** DistributionConfig.HttpVersion (docs/cloudfront-reference.md §16): whether the HTTPS listener offers HTTP/2. */
  httpVersion: z.enum(HTTP_VERSIONS, { error: `must be one of ${HTTP_VERSIONS.join(', ')}` }).optional(),
  origins: z.array(originSchema).min(1, { error: 'must define at least one origin' }),
  /** CloudFront's OriginGroups (docs/cloudfront-reference.md §14); a behavior's `origin` may name one. */
  originGroups: z.array(originGroupSchema).optional(),
  /** CloudFront's Restrictions (docs/cloudfront-reference.md §17). */
  restrictions: z
    .strictObject({
      geoRestriction: z.strictObject({
        restrictionType: z.enum(GEO_RESTRICTION_TYPES, { error: `must be one of ${GEO_RESTRICTION_TYPES.join(', ')}` }),
        locations: z.array(z.string()).optional(),
      }),
    })
    .optional(),
  functions: z.array(functionSchema).optional(),
  keyValueStores: z.array(keyValueStoreSchema).optional(),
  cff: cffSchema.optional(),
  /** Public keys and key groups for signed URLs and signed cookies (§15.1). */
  publicKeys: z.array(publicKeySchema).optional(),
  keyGroups: z.array(keyGroupSchema).optional(),
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
  /** CloudFront's CustomErrorResponses (docs/cloudfront-reference.md §12); codes and pairings checked in custom-error-responses.ts. */
  customErrorResponses: z
    .array(
      z.strictObject({
        errorCode: z.number().int({ error: 'must be a whole HTTP status' }),
        responsePagePath: z.string().optional(),
        responseCode: z.number().int({ error: 'must be a whole HTTP status' }).optional(),
        errorCachingMinTTL: z.number().min(0, { error: 'must be ≥ 0 seconds' }).optional(),
      }),
    )
    .optional(),
  admin: z.strictObject({ host: nonEmpty.optional(), port: port.optional() }).optional(),
  /** Adds X-Edgeproxy-Executed-Version and Server-Timing to responses. */
  inspector: z
    .strictObject({
      headers: z.boolean().optional(),
      /** The inspector page and its capture (docs/inspector.md). */
      capture: z.boolean().optional(),
      maxExchanges: z.number().int().min(1, { error: 'must be at least 1' }).optional(),
      maxSize: byteSize.optional(),
      maxBodySize: byteSize.optional(),
    })
    .optional(),
  log: z
    .strictObject({
      format: z.enum(['text', 'json']).optional(),
      /** Lines below this level are dropped; `warn` silences START/END/REPORT and functions' console lines. */
      level: z.enum(['info', 'warn', 'error']).optional(),
      accessLog: nonEmpty.optional(),
    })
    .optional(),
  /** The Lambda Invoke API listener (config/lambda.ts, docs/lambda-api.md). */
  lambda: lambdaSchema.optional(),
});

/** What a config file (or `defineConfig`) may contain. */
export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type CachePolicyInput = z.output<typeof cachePolicySchema>;
export type OriginRequestPolicyInput = z.output<typeof originRequestPolicySchema>;

/** Every key any schema object accepts, to suggest the right spelling for an unknown key. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set([
    ...Object.keys(configSchema.shape),
    ...Object.keys(originSchema.shape),
    ...Object.keys(functionSchema.shape),
    ...Object.keys(behaviorSchema.shape),
    ...Object.keys(cachePolicySchema.shape),
    ...Object.keys(originRequestPolicySchema.shape),
    ...Object.keys(associations.shape),
    ...Object.keys(aliasSchema.shape),
    'errorCode', 'responsePagePath', 'responseCode', 'errorCachingMinTTL',
    ...Object.keys(lambdaSchema.shape),
    ...Object.keys(lambdaFunctionSchema.shape),
    ...Object.keys(responseHeadersPolicySchema.shape), 'accessControlAllowOrigins', 'accessControlAllowHeaders', 'accessControlAllowMethods',
    'accessControlAllowCredentials', 'accessControlExposeHeaders', 'accessControlMaxAgeSec', 'originOverride', 'strictTransportSecurity',
    'contentSecurityPolicy', 'contentTypeOptions', 'frameOptions', 'referrerPolicy', 'xssProtection', 'includeSubdomains', 'preload',
    'override', 'frameOption', 'protection', 'modeBlock', 'reportUri', 'header', 'value', 'enabled', 'samplingRate',
    ...Object.keys(keyValueStoreSchema.shape),
    ...Object.keys(cffSchema.shape),
    ...Object.keys(publicKeySchema.shape),
    ...Object.keys(keyGroupSchema.shape),
    ...Object.keys(originGroupSchema.shape), 'originId', 'statusCodes', 'geoRestriction', 'restrictionType', 'locations', 'https', 'cert', 'key',
    'budgetMs', 'mode', 'hardCapMs', 'throttle', 'throttleCoolDown', 'serverIp', 'region',
    'host', 'port', 'viewer', 'origin', 'maxWorkersPerFunction', 'function', 'includeBody', 'behavior', 'names',
  ]),
];
