// The resolved, validated, frozen configuration the pipeline runs on. Built once at start by
// config/load.ts from a config file and/or CLI flags; nothing on the hot path re-validates it.
// Every default is already applied (config/defaults.ts): consumers read values, they never fill gaps.

import type { CustomErrorTable } from '../distribution/custom-error-responses.js';
import type { ResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import type { TrustedKeyGroups } from '../distribution/signed-urls.js';
import type { ComputeSettings } from '../cff/compute.js';
import type { CffRuntime } from '../cff/limits.js';
import type { EventType } from '../event/types.js';
import type { HttpVersionSetting, ViewerProtocolPolicy } from '../rules/cloudfront.js';
import type { ResolvedLambdaConfig } from './lambda.js';

export interface ResolvedOrigin {
  id: string;
  /** The URL as configured, e.g. http://127.0.0.1:3000/base */
  url: string;
  protocol: 'http' | 'https';
  /** Host name or IP from the URL. (CloudFront forbids IPs in events; a local emulator must allow them.) */
  domainName: string;
  port: number;
  /** Origin path: '' or starts with '/' and has no trailing '/' (docs/cloudfront-reference.md §1.4). */
  path: string;
  /** Seconds, as in the event's origin.custom (docs/cloudfront-reference.md §1.4). */
  readTimeout: number;
  keepaliveTimeout: number;
  connectTimeout: number;
  /** Origin custom headers, name as written → value. Sent on every origin request. */
  customHeaders: Readonly<Record<string, string>>;
  sslProtocols: readonly string[];
  /** The Host sent to the origin, when a CloudFront Function's origin helper set one (docs/cloudfront-reference.md §26.1). */
  hostHeader?: string;
}

/**
 * An origin group's failover (docs/cloudfront-reference.md §14): the secondary origin and the primary's
 * statuses that send the request to it. A CloudFront Function's cf.createRequestOriginGroup() makes one
 * per request; a configured group is one per behavior, made at start.
 */
export interface Failover {
  readonly origin: ResolvedOrigin;
  readonly statusCodes: ReadonlySet<number>;
}

/** CloudFront's OriginGroup, resolved: its two origins, primary first. */
export interface ResolvedOriginGroup {
  readonly id: string;
  readonly primary: ResolvedOrigin;
  readonly secondary: ResolvedOrigin;
  readonly statusCodes: readonly number[];
  readonly selectionCriteria: 'default' | 'media-quality-based';
}

/** Restrictions.GeoRestriction (docs/cloudfront-reference.md §17): countries as ISO 3166-1 alpha-2 codes. */
export type GeoRestriction =
  | { readonly restrictionType: 'none' }
  | { readonly restrictionType: 'whitelist' | 'blacklist'; readonly locations: ReadonlySet<string> };

/** The HTTPS viewer listener (docs/cloudfront-reference.md §16). */
export interface ResolvedHttpsListener {
  host: string;
  port: number;
  /** Absolute paths of the PEM certificate (chain) and key; both undefined = a self-signed certificate for localhost, made at start. */
  certFile: string | undefined;
  keyFile: string | undefined;
}

export interface ResolvedFunction {
  id: string;
  /** Absolute path of the module file. */
  file: string;
  /** Export name of the handler (default `handler`). */
  exportName: string;
  /** Timeout override in ms; when absent the trigger default applies (docs/cloudfront-reference.md §3.7). */
  timeoutMs: number | undefined;
  /** Memory size in MB (Lambda range 128–10240). */
  memorySize: number;
  /** Reserved concurrency: at most this many invocations at once; undefined = only the account limit (docs/cloudfront-reference.md §9.2). */
  reservedConcurrency: number | undefined;
  /**
   * Where the function is in the config, for messages: `functions[0]`. loadConfig always sets it;
   * a ResolvedFunction built by hand (tests) may leave it out, and is then named `functions["<id>"]`.
   */
  configPath?: string;
  /** The function's aliases by name (docs/cloudfront-reference.md §9.1). loadConfig always sets it; absent = none. */
  aliases?: ReadonlyMap<string, ResolvedAlias>;
  /** Set for a CloudFront Function (docs/cloudfront-reference.md §22); absent = a Lambda@Edge function. */
  cff?: { runtime: CffRuntime; keyValueStore: string | undefined };
}

/** A CloudFront KeyValueStore (docs/cloudfront-reference.md §27): checked at start, read by functions. */
export interface ResolvedKeyValueStore {
  name: string;
  /** The UUID `cf.kvs(id)` names. */
  id: string;
  /** Absolute path of the data file (CloudFront's import format). */
  file: string;
}

/** How CloudFront Functions run (config `cff`), every default applied. */
export interface ResolvedCffSettings {
  /** The feature check's warnings are load errors. */
  strict: boolean;
  compute: ComputeSettings;
  /** A run still going after this many ms ends its worker (503 FunctionExecutionError). */
  runTimeoutMs: number;
  maxBodyBytes: number;
  viewerResponseStatusChange: boolean;
  /** What `cf.edgeLocation` returns at viewer-request. */
  edgeLocation: { name: string; serverIp: string; region: string };
}

/** One alias of a function: Lambda's FunctionVersion + RoutingConfig (docs/cloudfront-reference.md §9.1). */
export interface ResolvedAlias {
  name: string;
  /** The primary version: gets every invocation the additional version does not. */
  version: string;
  /** At most one other version and the share (0–1) of invocations drawn for it, per invocation. */
  additional: { version: string; weight: number } | undefined;
}

export interface Association {
  functionId: string;
  /** `name:3` or `name:live` in the config: a version number or alias name; undefined = $LATEST (docs/cloudfront-reference.md §9.1). */
  qualifier?: string;
  /** Only meaningful for viewer-request and origin-request (docs/cloudfront-reference.md §3.9). */
  includeBody: boolean;
}

export type QueryStringBehavior =
  | { behavior: 'none' }
  | { behavior: 'all' }
  | { behavior: 'whitelist'; names: readonly string[] }
  | { behavior: 'allExcept'; names: readonly string[] };

export type CookieBehavior = QueryStringBehavior;

export type HeaderBehavior = { behavior: 'none' } | { behavior: 'whitelist'; names: readonly string[] };

export type OriginHeaderBehavior =
  | { behavior: 'none' }
  | { behavior: 'allViewer' }
  | { behavior: 'allViewerAndWhitelistCloudFront'; names: readonly string[] }
  | { behavior: 'whitelist'; names: readonly string[] }
  | { behavior: 'allExcept'; names: readonly string[] };

/** CloudFront cache policy (docs/cloudfront-reference.md §6.2). Header names stored lowercase. */
export interface CachePolicy {
  name: string;
  minTTL: number;
  defaultTTL: number;
  maxTTL: number;
  queryStrings: QueryStringBehavior;
  headers: HeaderBehavior;
  cookies: CookieBehavior;
  enableAcceptEncodingGzip: boolean;
  enableAcceptEncodingBrotli: boolean;
}

/** CloudFront origin request policy (docs/cloudfront-reference.md §6.4). */
export interface OriginRequestPolicy {
  name: string;
  queryStrings: QueryStringBehavior;
  headers: OriginHeaderBehavior;
  cookies: CookieBehavior;
}

export interface ResolvedBehavior {
  /** As configured, e.g. `images/*.jpg` or `*`. */
  pathPattern: string;
  /** Compiled matcher for the viewer's path (docs/cloudfront-reference.md §6.1). */
  matches: (path: string) => boolean;
  /** The origin requests go to: the behavior's origin, or its origin group's primary. */
  originId: string;
  /** The origin group the behavior targets (docs/cloudfront-reference.md §14); undefined = a single origin. */
  originGroupId?: string | undefined;
  /** Its failover, made once at start; undefined for a single origin. */
  failover?: Failover | undefined;
  functions: Readonly<Partial<Record<EventType, Association>>>;
  cachePolicy: CachePolicy;
  originRequestPolicy: OriginRequestPolicy | undefined;
  /** Edge compression (docs/cloudfront-reference.md §6.10). */
  compress: boolean;
  /** Methods CloudFront accepts and caches. */
  allowedMethods: readonly string[];
  cachedMethods: readonly string[];
  /** The behavior's response headers policy (docs/cloudfront-reference.md §13); undefined = none. */
  responseHeadersPolicy?: ResponseHeadersPolicy | undefined;
  /** Restrict viewer access (docs/cloudfront-reference.md §15): the keys signed URLs and cookies must be signed with; undefined = not restricted. */
  trustedKeyGroups?: TrustedKeyGroups | undefined;
  /** What an HTTP viewer request gets (docs/cloudfront-reference.md §16); built-by-hand behaviors may leave it out (= allow-all). */
  viewerProtocolPolicy?: ViewerProtocolPolicy;
}

/** Values for CloudFront-* viewer headers that a real edge would compute from geo-IP/TLS (docs/cloudfront-reference.md §7). */
export type ViewerHeaderValues = Readonly<Record<string, string>>;

export interface ResolvedConfig {
  distributionId: string;
  distributionDomainName: string;
  /** e.g. `IAD79-C3` (docs/cloudfront-reference.md §5.4). */
  pop: string;
  /** 32 lowercase hex, the `<hex>` in `Via: 1.1 <hex>.cloudfront.net (CloudFront)`. */
  viaHost: string;
  listen: {
    host: string;
    port: number;
    /** The viewer connection limits (src/viewer/listener.ts). */
    requestHeadTimeoutMs: number;
    keepAliveTimeoutMs: number;
    requestBodyTimeoutMs: number;
    maxPendingConnections: number;
    /** The HTTPS viewer listener; undefined = none (HTTP only). */
    https: ResolvedHttpsListener | undefined;
  };
  /** DistributionConfig.HttpVersion: `http1.1` keeps the HTTPS listener to HTTP/1.1; the others offer HTTP/2 too (docs/cloudfront-reference.md §16). */
  httpVersion: HttpVersionSetting;
  origins: ReadonlyMap<string, ResolvedOrigin>;
  /** CloudFront's origin groups by id (docs/cloudfront-reference.md §14). */
  originGroups: ReadonlyMap<string, ResolvedOriginGroup>;
  /** Restrictions.GeoRestriction (docs/cloudfront-reference.md §17). */
  geoRestriction: GeoRestriction;
  functions: ReadonlyMap<string, ResolvedFunction>;
  /** CloudFront Functions' key value stores by name. */
  keyValueStores: ReadonlyMap<string, ResolvedKeyValueStore>;
  cff: ResolvedCffSettings;
  /** In order; the default behavior `*` is last. */
  behaviors: readonly ResolvedBehavior[];
  /**
   * Injected CloudFront-* viewer header values (e.g. `CloudFront-Viewer-Country: DE`), keyed by
   * lowercase name. A viewer may override one per request with `X-Edgeproxy-<Header-Name>`.
   */
  viewerHeaders: ViewerHeaderValues;
  /** Trigger timeouts in ms when a function sets none (docs/cloudfront-reference.md §3.7). */
  defaultTimeouts: { viewer: number; origin: number };
  runtime: {
    /** Max worker threads per function. */
    maxWorkersPerFunction: number;
    /** The account's concurrency limit across all functions (docs/cloudfront-reference.md §9.2, default 1000). */
    accountConcurrency: number;
    /** Idle workers are retired after this many ms. */
    idleTimeoutMs: number;
    /** Start one worker per function at boot. */
    prewarm: boolean;
  };
  cache: {
    /** Bound of the whole cache in bytes, headers counted (--cache-size). */
    maxBytes: number;
    /** Responses larger than this stream through unstored. */
    maxObjectBytes: number;
    /** docs/cloudfront-reference.md §6.6: error caching minimum TTL (seconds) for statuses without a custom error response. */
    errorCachingMinTtl: number;
    /** CloudFront custom error responses: status → ErrorCachingMinTTL seconds. */
    customErrorTtls: ReadonlyMap<number, number>;
    /** Add an RFC 9211 `Cache-Status` header to responses (opt-in, for debugging). */
    cacheStatusHeader: boolean;
  };
  /** CloudFront's custom error responses by error code (docs/cloudfront-reference.md §12). */
  customErrorResponses: CustomErrorTable;
  /**
   * Inspector response headers for people debugging their functions: `X-Edgeproxy-Executed-Version`
   * (which version of each function ran) and `Server-Timing` (time per stage). Off by default: CloudFront
   * sends neither.
   */
  inspectorHeaders: boolean;
  /**
   * The inspector (docs/inspector.md): with `capture` every viewer request is recorded, at most
   * `maxExchanges` of them and `maxBytes` in all, bodies kept to `bodyBytes`; served by the admin listener.
   */
  inspector: { capture: boolean; maxExchanges: number; maxBytes: number; bodyBytes: number };
  /** The admin listener (invalidations, cache listing, metrics); undefined = not started. */
  admin: { host: string; port: number } | undefined;
  log: {
    format: 'text' | 'json';
    /** Lines below it are dropped (info: everything). */
    level: 'info' | 'warn' | 'error';
    /** CloudFront standard-log fields, one line per viewer request, to this file. */
    accessLogFile: string | undefined;
  };
  /** The Lambda Invoke API listener (docs/lambda-api.md); undefined = not started. */
  lambda: ResolvedLambdaConfig | undefined;
  /** Headers beyond this are a 413 (docs/cloudfront-reference.md §3.5). */
  limits: { maxRequestHeaderBytes: number; maxUrlLength: number };
}
