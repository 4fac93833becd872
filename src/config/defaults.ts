/**
 * edgeproxy's own defaults, in one place. CloudFront's rules live in src/rules/; these are the
 * values edgeproxy picks where a user has not said otherwise. docs/config.md lists every one of
 * them, and test/config/defaults.test.ts keeps the two in step.
 */

// ---------------------------------------------------------------------------------------------
// Distribution, listener and cache defaults (config layer)
// ---------------------------------------------------------------------------------------------

// Where a config field has a default, the config layer (src/config/resolve/) applies it once, at
// start; nothing downstream applies it again. Seconds where the config field is in seconds.

/** `distributionId`: AWS's own example distribution id. */
export const DEFAULT_DISTRIBUTION_ID = 'EDFDVBD6EXAMPLE';
/** `pop`: the edge location in `X-Amz-Cf-Pop` and the standard log. */
export const DEFAULT_POP = 'IAD79-C3';
/** `listen.host` / `--host`: loopback only, unless asked. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';
/** `listen.port` / `--port`. */
export const DEFAULT_LISTEN_PORT = 8080;
/** `listen.https.port`: the HTTPS viewer listener's port, when `listen.https` is given. */
export const DEFAULT_HTTPS_PORT = 8443;
/** `httpVersion`: CloudFront's default for a new distribution (HTTP/2 offered to viewers). */
export const DEFAULT_HTTP_VERSION = 'http2';
/** `admin.host`: the admin listener binds to loopback unless told otherwise. */
export const DEFAULT_ADMIN_HOST = '127.0.0.1';
/** `admin.port` when only `admin: {}` is given: 0 picks a free port. */
export const DEFAULT_ADMIN_PORT = 0;

/** `origins[].readTimeout` (CloudFront's Response timeout), seconds. */
export const DEFAULT_ORIGIN_READ_TIMEOUT_S = 30;
/** `origins[].keepaliveTimeout`, seconds. */
export const DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S = 5;
/** `origins[].connectTimeout`, seconds. */
export const DEFAULT_ORIGIN_CONNECT_TIMEOUT_S = 10;
/** `origins[].sslProtocols`. */
export const DEFAULT_ORIGIN_SSL_PROTOCOLS: readonly string[] = ['TLSv1.2'];

/** `behaviors[].cachePolicy`: the console's default for a new behavior. */
export const DEFAULT_CACHE_POLICY = 'CachingOptimized';
/** `behaviors[].originRequestPolicy` (docs/decisions.md: why not CloudFront's "none"). */
export const DEFAULT_ORIGIN_REQUEST_POLICY = 'AllViewerExceptHostHeader';
/** `behaviors[].viewerProtocolPolicy`: the API's default (the console proposes redirect-to-https). */
export const DEFAULT_VIEWER_PROTOCOL_POLICY = 'allow-all';
/** `behaviors[].compress`. */
export const DEFAULT_COMPRESS = true;
/** `behaviors[].allowedMethods`: the largest of CloudFront's three sets. */
export const DEFAULT_ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
/** `behaviors[].cachedMethods`. */
export const DEFAULT_CACHED_METHODS: readonly string[] = ['GET', 'HEAD'];

/** An inline cache policy's `minTTL`, seconds (the console's default for a new policy). */
export const DEFAULT_POLICY_MIN_TTL = 1;
/** An inline cache policy's `defaultTTL`, seconds; raised to `minTTL` when that is larger. */
export const DEFAULT_POLICY_DEFAULT_TTL = 86_400;
/** An inline cache policy's `maxTTL`, seconds; raised to `defaultTTL` when that is larger. */
export const DEFAULT_POLICY_MAX_TTL = 31_536_000;
/** An inline cache policy's `enableAcceptEncodingGzip`. */
export const DEFAULT_POLICY_GZIP = true;
/** An inline cache policy's `enableAcceptEncodingBrotli`. */
export const DEFAULT_POLICY_BROTLI = true;

/** `cache.maxSize` / `--cache-size`: 256 MiB. */
export const DEFAULT_CACHE_BYTES = 268_435_456;
/** `cache.maxObjectSize`: 64 MiB. Larger responses stream through unstored (CloudFront's own cap is 50 GB). */
export const DEFAULT_MAX_OBJECT_BYTES = 67_108_864;
/** docs/cloudfront-reference.md §6.6: the error caching minimum TTL, seconds, for statuses without a custom error response. */
export const DEFAULT_ERROR_CACHING_MIN_TTL_S = 10;
/** `cache.cacheStatusHeader`: CloudFront sends no Cache-Status. */
export const DEFAULT_CACHE_STATUS_HEADER = false;
/** `inspector.headers` / `--inspector-headers`: CloudFront sends neither inspector header. */
export const DEFAULT_INSPECTOR_HEADERS = false;
/** `inspector.capture` / `--inspector`: off; the demo (`npm start`) turns it on. */
export const DEFAULT_INSPECTOR_CAPTURE = false;
/** `inspector.maxExchanges`: the exchanges the inspector keeps. */
export const DEFAULT_INSPECTOR_MAX_EXCHANGES = 500;
/** `inspector.maxSize`: 64 MiB of captures at most. */
export const DEFAULT_INSPECTOR_MAX_BYTES = 67_108_864;
/** `inspector.maxBodySize`: 64 KiB of each body kept (its full size noted). */
export const DEFAULT_INSPECTOR_BODY_BYTES = 65_536;
/** The admin port `--inspector` starts the admin listener on when none is configured (the next free one if taken). */
export const DEFAULT_INSPECTOR_ADMIN_PORT = 9901;
/** `log.format` / `--log-format`. */
export const DEFAULT_LOG_FORMAT = 'text';
/** `log.level` / `--log-level`. */
export const DEFAULT_LOG_LEVEL = 'info';

/** `functions[].export`: the handler in `index.handler`. */
export const DEFAULT_FUNCTION_EXPORT = 'handler';

// ---------------------------------------------------------------------------------------------
// Function runtime defaults (worker pool, limits)
// ---------------------------------------------------------------------------------------------

/** `functions[].memorySize`, MB: Lambda's smallest size. */
export const DEFAULT_MEMORY_SIZE_MB = 128;
/** `timeouts.viewer`, seconds: the viewer triggers' limit in the docs before late 2025 (docs/cloudfront-reference.md §3.7). */
export const DEFAULT_VIEWER_TRIGGER_TIMEOUT_S = 5;
/** `timeouts.origin`, seconds (docs/cloudfront-reference.md §3.7). */
export const DEFAULT_ORIGIN_TRIGGER_TIMEOUT_S = 30;
/**
 * `runtime.maxWorkersPerFunction`: one worker thread per core, at most this many. More threads than
 * cores only adds context switches: on a 2-core machine a viewer-request + viewer-response hit served
 * ~25 % fewer requests with 4 workers per function than with 2 (bench scenario b, docs/benchmarks.md).
 */
export const DEFAULT_WORKERS_PER_FUNCTION_MAX = 4;
/** The default of `runtime.maxWorkersPerFunction` on a machine with `cores` cores. */
export function defaultWorkersPerFunction(cores: number): number {
  return Math.max(1, Math.min(DEFAULT_WORKERS_PER_FUNCTION_MAX, cores));
}
/** `runtime.accountConcurrency`: Lambda's default account limit (docs/cloudfront-reference.md §9.2). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** `runtime.idleTimeout`, seconds: idle workers are retired after this. */
export const DEFAULT_IDLE_TIMEOUT_S = 300;
/** `runtime.prewarm` / `--prewarm`. */
export const DEFAULT_PREWARM = false;

// ---------------------------------------------------------------------------------------------
// Viewer connection defaults (timeouts, socket caps)
// ---------------------------------------------------------------------------------------------
// CloudFront documents none of its viewer-side connection limits (docs/decisions.md, "Viewer
// connections"); these mirror the origin-side figures it does document.

/** Seconds from a request's first byte to the end of its head before a 408 (`listen.requestHeadTimeout`). */
export const DEFAULT_REQUEST_HEAD_TIMEOUT_S = 10;
/** Seconds a connection may stay idle between requests (`listen.keepAliveTimeout`), as CloudFront's origin keep-alive default. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_S = 5;
/** Longest gap in seconds between two pieces of a request body before a 408 (`listen.requestBodyTimeout`), as CloudFront's origin response timeout default. */
export const DEFAULT_REQUEST_BODY_TIMEOUT_S = 30;
/** Connections without a request in progress beyond which new ones are refused (`listen.maxPendingConnections`). */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 1024;
/** After answering a request that ends its connection, the viewer gets this long to read the answer before the socket is destroyed. */
export const DEFAULT_CLOSE_LINGER_MS = 2000;

/**
 * The viewer listener's cap on request head bytes (Node's `maxHeaderSize`). Above CloudFront's
 * 20,480 (docs/cloudfront-reference.md §3.5) so that edgeproxy, not Node, sees an over-long request
 * and answers 413 as CloudFront does; Node's own 16 KiB would cut it off first.
 */
export const DEFAULT_VIEWER_MAX_HEADER_BYTES = 65_536;
/** `close(graceMs)`: how long open viewer connections may finish before they are cut. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// CloudFront Functions defaults (docs/cloudfront-reference.md §20–§34; the reasons in docs/decisions.md)
// ---------------------------------------------------------------------------------------------

/** The runtime of a function given with `--cff` and no runtime comment in its first line. */
export const DEFAULT_CFF_RUNTIME = 'cloudfront-js-2.0';
/** `cff.strict` / `--strict-cff`: the feature check's warnings stay warnings. */
export const DEFAULT_CFF_STRICT = false;
/** `cff.compute.budgetMs`: the run time that is 100 % compute utilization. */
export const DEFAULT_CFF_COMPUTE_BUDGET_MS = 1;
/** `cff.compute.mode`: an over-budget run only warns ("strict" fails a run over the hard cap). */
export const DEFAULT_CFF_COMPUTE_MODE = 'warn';
/** `cff.compute.hardCapMs` is this many budgets when not set. */
export const DEFAULT_CFF_HARD_CAP_BUDGETS = 10;
/** `cff.compute.throttle`: CloudFront's throttling of continuously over-budget functions is off. */
export const DEFAULT_CFF_THROTTLE = false;
/** Runs averaged for the throttle decision. */
export const DEFAULT_CFF_THROTTLE_WINDOW = 20;
/** `cff.compute.throttleCoolDown`, seconds a throttled function is refused. */
export const DEFAULT_CFF_THROTTLE_COOL_DOWN_S = 10;
/** `cff.runTimeout`, seconds: a run still going then ends its worker (a loop costs its own request only). */
export const DEFAULT_CFF_RUN_TIMEOUT_S = 1;
/** `cff.maxBodySize`: a generated or replaced body, bytes (Lambda@Edge's viewer-side 40 KB). */
export const DEFAULT_CFF_MAX_BODY_BYTES = 40_960;
/** `cff.viewerResponseStatusChange`: a viewer-response function may change the status (current AWS docs). */
export const DEFAULT_CFF_VIEWER_RESPONSE_STATUS_CHANGE = true;
/** `cff.edgeLocation.region`: the regional edge cache `cf.edgeLocation` names. */
export const DEFAULT_CFF_EDGE_REGION = 'us-east-1';
/** `cff.edgeLocation.serverIp`. */
export const DEFAULT_CFF_EDGE_SERVER_IP = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Lambda Invoke API defaults
// ---------------------------------------------------------------------------------------------

/** The Lambda API listener binds to loopback unless `lambda.host` says otherwise (docs/lambda-api.md). */
export const DEFAULT_LAMBDA_HOST = '127.0.0.1';
/** `--lambda-port` / `lambda.port` when only `lambda: {}` is given: 0 picks a free port. */
export const DEFAULT_LAMBDA_PORT = 0;
/** The Region and account in every ARN the listener builds; the runtime's context uses the same two. */
export const DEFAULT_LAMBDA_REGION = 'us-east-1';
export const DEFAULT_LAMBDA_ACCOUNT_ID = '123456789012';
/** Function timeout for invocations through the Lambda API when neither the function nor `lambda.functions` sets one: Lambda's default for a new function, 3 s. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 3_000;
/** Multiplies every delay of the async queue (retries, throttle backoff, event age): 1 = Lambda's real timing. */
export const DEFAULT_TIME_SCALE = 1;
/** Async retries after a function error when the function's event-invoke config sets none (Lambda: 2). */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
/** How long an async event may wait in the queue, when not configured (Lambda: 6 hours). */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;
/** Asynchronous payload limit: Lambda's current 1 MB unless `lambda.legacyAsyncLimit` asks for the old 256 KB. */
export const DEFAULT_LEGACY_ASYNC_LIMIT = false;
/** Dead-letter and destination sinks are JSON-lines files in this folder under the state folder (`.edgeproxy/`). */
export const DEFAULT_LAMBDA_SINK_DIR = 'lambda-sinks';
/** A graceful stop waits this long for async invocations in flight before it reports what it drops. */
export const DEFAULT_LAMBDA_CLOSE_GRACE_MS = 5_000;
