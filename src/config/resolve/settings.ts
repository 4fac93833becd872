// The distribution's single-valued settings: identity (id, domain, PoP, Via host), listeners
// (viewer, admin), trigger timeouts, the function runtime, the cache, logs and request limits.
// Flags win over the file, the file over the defaults (config/defaults.ts), applied here once.

import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MAX_REQUEST_HEADER_BYTES, MAX_URL_LENGTH } from '../../rules/cloudfront.js';
import {
  DEFAULT_CFF_COMPUTE_BUDGET_MS,
  DEFAULT_CFF_COMPUTE_MODE,
  DEFAULT_CFF_EDGE_REGION,
  DEFAULT_CFF_EDGE_SERVER_IP,
  DEFAULT_CFF_HARD_CAP_BUDGETS,
  DEFAULT_CFF_MAX_BODY_BYTES,
  DEFAULT_CFF_RUN_TIMEOUT_S,
  DEFAULT_CFF_STRICT,
  DEFAULT_CFF_THROTTLE,
  DEFAULT_CFF_THROTTLE_COOL_DOWN_S,
  DEFAULT_CFF_THROTTLE_WINDOW,
  DEFAULT_CFF_VIEWER_RESPONSE_STATUS_CHANGE,
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_ADMIN_HOST,
  DEFAULT_ADMIN_PORT,
  DEFAULT_CACHE_BYTES,
  DEFAULT_CACHE_STATUS_HEADER,
  DEFAULT_DISTRIBUTION_ID,
  DEFAULT_ERROR_CACHING_MIN_TTL_S,
  DEFAULT_IDLE_TIMEOUT_S,
  DEFAULT_INSPECTOR_BODY_BYTES,
  DEFAULT_INSPECTOR_CAPTURE,
  DEFAULT_HTTP_VERSION,
  DEFAULT_INSPECTOR_HEADERS,
  DEFAULT_INSPECTOR_MAX_BYTES,
  DEFAULT_INSPECTOR_MAX_EXCHANGES,
  DEFAULT_KEEP_ALIVE_TIMEOUT_S,
  DEFAULT_LISTEN_HOST,
  DEFAULT_LISTEN_PORT,
  DEFAULT_LOG_FORMAT,
  DEFAULT_LOG_LEVEL,
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  DEFAULT_ORIGIN_TRIGGER_TIMEOUT_S,
  DEFAULT_POP,
  DEFAULT_PREWARM,
  DEFAULT_REQUEST_BODY_TIMEOUT_S,
  DEFAULT_REQUEST_HEAD_TIMEOUT_S,
  DEFAULT_VIEWER_TRIGGER_TIMEOUT_S,
  defaultWorkersPerFunction,
} from '../defaults.js';
import { frozenMap } from '../freeze.js';
import type { ParsedConfig } from '../schema.js';
import type { FlagOverrides } from '../sources.js';
import type { ResolvedCffSettings, ResolvedConfig, ResolvedHttpsListener } from '../types.js';

/** `runtime.maxWorkersPerFunction` on this machine when the config sets none. */
export const DEFAULT_WORKERS_PER_FUNCTION = defaultWorkersPerFunction(availableParallelism());

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

type ResolvedSettings = Omit<ResolvedConfig, 'origins' | 'functions' | 'behaviors' | 'viewerHeaders' | 'customErrorResponses' | 'lambda' | 'keyValueStores' | 'originGroups' | 'geoRestriction'>;

/** `cff` (docs/cloudfront-reference.md §22.4, §30): how CloudFront Functions run, every default applied. */
function resolveCff(data: ParsedConfig, flags: FlagOverrides, pop: string): ResolvedCffSettings {
  const c = data.cff;
  const budgetMs = c?.compute?.budgetMs ?? DEFAULT_CFF_COMPUTE_BUDGET_MS;
  return {
    strict: flags.strictCff ?? c?.strict ?? DEFAULT_CFF_STRICT,
    compute: {
      budgetMs,
      mode: c?.compute?.mode ?? DEFAULT_CFF_COMPUTE_MODE,
      hardCapMs: c?.compute?.hardCapMs ?? DEFAULT_CFF_HARD_CAP_BUDGETS * budgetMs,
      throttle: {
        enabled: c?.compute?.throttle ?? DEFAULT_CFF_THROTTLE,
        window: DEFAULT_CFF_THROTTLE_WINDOW,
        coolDownMs: Math.round((c?.compute?.throttleCoolDown ?? DEFAULT_CFF_THROTTLE_COOL_DOWN_S) * 1000),
      },
    },
    runTimeoutMs: Math.round((c?.runTimeout ?? DEFAULT_CFF_RUN_TIMEOUT_S) * 1000),
    maxBodyBytes: c?.maxBodySize ?? DEFAULT_CFF_MAX_BODY_BYTES,
    viewerResponseStatusChange: c?.viewerResponseStatusChange ?? DEFAULT_CFF_VIEWER_RESPONSE_STATUS_CHANGE,
    // The IATA code of the PoP (`IAD79-C3` → `IAD`), as CloudFront's `cf.edgeLocation.name`.
    edgeLocation: {
      name: c?.edgeLocation?.name ?? pop.slice(0, 3),
      serverIp: c?.edgeLocation?.serverIp ?? DEFAULT_CFF_EDGE_SERVER_IP,
      region: c?.edgeLocation?.region ?? DEFAULT_CFF_EDGE_REGION,
    },
  };
}

export function resolveSettings(data: ParsedConfig, flags: FlagOverrides, baseDir: string, https?: ResolvedHttpsListener): ResolvedSettings {
  const distributionId = data.distributionId ?? DEFAULT_DISTRIBUTION_ID;
  return {
    distributionId,
    // CloudFront domains are `d` + 13 lowercase alphanumerics; derive one that is stable per id.
    distributionDomainName: data.domainName ?? `d${md5(`domain:${distributionId}`).slice(0, 13)}.cloudfront.net`,
    pop: data.pop ?? DEFAULT_POP,
    viaHost: md5(distributionId),
    listen: {
      host: flags.host ?? data.listen?.host ?? DEFAULT_LISTEN_HOST,
      port: flags.port ?? data.listen?.port ?? DEFAULT_LISTEN_PORT,
      requestHeadTimeoutMs: Math.round((data.listen?.requestHeadTimeout ?? DEFAULT_REQUEST_HEAD_TIMEOUT_S) * 1000),
      keepAliveTimeoutMs: Math.round((data.listen?.keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT_S) * 1000),
      requestBodyTimeoutMs: Math.round((data.listen?.requestBodyTimeout ?? DEFAULT_REQUEST_BODY_TIMEOUT_S) * 1000),
      maxPendingConnections: data.listen?.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS,
      https,
    },
    httpVersion: data.httpVersion ?? DEFAULT_HTTP_VERSION,
    // docs/cloudfront-reference.md §3.7: the trigger timeouts when a function sets none.
    defaultTimeouts: {
      viewer: Math.round((data.timeouts?.viewer ?? DEFAULT_VIEWER_TRIGGER_TIMEOUT_S) * 1000),
      origin: Math.round((data.timeouts?.origin ?? DEFAULT_ORIGIN_TRIGGER_TIMEOUT_S) * 1000),
    },
    runtime: {
      maxWorkersPerFunction: data.runtime?.maxWorkersPerFunction ?? DEFAULT_WORKERS_PER_FUNCTION,
      accountConcurrency: data.runtime?.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY,
      idleTimeoutMs: Math.round((data.runtime?.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_S) * 1000),
      prewarm: flags.prewarm ?? data.runtime?.prewarm ?? DEFAULT_PREWARM,
    },
    cache: {
      maxBytes: flags.cacheSize ?? data.cache?.maxSize ?? DEFAULT_CACHE_BYTES,
      maxObjectBytes: data.cache?.maxObjectSize ?? DEFAULT_MAX_OBJECT_BYTES,
      errorCachingMinTtl: DEFAULT_ERROR_CACHING_MIN_TTL_S,
      // Entries with only a page keep the default (docs/cloudfront-reference.md §12, §6.6).
      customErrorTtls: frozenMap((data.customErrorResponses ?? []).flatMap((r) => (r.errorCachingMinTTL === undefined ? [] : [[r.errorCode, r.errorCachingMinTTL] as const]))),
      cacheStatusHeader: flags.cacheStatus ?? data.cache?.cacheStatusHeader ?? DEFAULT_CACHE_STATUS_HEADER,
    },
    inspectorHeaders: flags.inspectorHeaders ?? data.inspector?.headers ?? DEFAULT_INSPECTOR_HEADERS,
    inspector: {
      capture: flags.inspector ?? data.inspector?.capture ?? DEFAULT_INSPECTOR_CAPTURE,
      maxExchanges: data.inspector?.maxExchanges ?? DEFAULT_INSPECTOR_MAX_EXCHANGES,
      maxBytes: data.inspector?.maxSize ?? DEFAULT_INSPECTOR_MAX_BYTES,
      bodyBytes: data.inspector?.maxBodySize ?? DEFAULT_INSPECTOR_BODY_BYTES,
    },
    admin:
      flags.adminPort !== undefined || data.admin !== undefined
        ? { host: data.admin?.host ?? DEFAULT_ADMIN_HOST, port: flags.adminPort ?? data.admin?.port ?? DEFAULT_ADMIN_PORT }
        : undefined,
    log: {
      format: flags.logFormat ?? data.log?.format ?? DEFAULT_LOG_FORMAT,
      level: flags.logLevel ?? data.log?.level ?? DEFAULT_LOG_LEVEL,
      accessLogFile: flags.accessLog ?? (data.log?.accessLog === undefined ? undefined : path.resolve(baseDir, data.log.accessLog)),
    },
    limits: { maxRequestHeaderBytes: MAX_REQUEST_HEADER_BYTES, maxUrlLength: MAX_URL_LENGTH },
    cff: resolveCff(data, flags, data.pop ?? DEFAULT_POP),
  };
}
