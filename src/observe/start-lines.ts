// What the CLI prints at start, computed once from the resolved config: one line per behavior with
// the policies in force and what they mean, and the warning for query strings that reach the origin
// but are not in the cache key (two URLs that differ only there share one cached answer, as on
// CloudFront: docs/cloudfront-reference.md §6.2, §6.4).

import type { CachePolicy, OriginRequestPolicy, QueryStringBehavior, ResolvedBehavior, ResolvedConfig } from '../config/types.js';
import { EVENT_TYPES } from '../event/types.js';

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const YEAR = 31_536_000;

/** Seconds as a person says them: `1 s`, `5 min`, `24 h`, `7 d`, `1 year`. */
function humanSeconds(s: number): string {
  if (s >= YEAR && s % YEAR === 0) return s === YEAR ? '1 year' : `${s / YEAR} years`;
  if (s >= 2 * DAY && s % DAY === 0) return `${s / DAY} d`;
  if (s >= HOUR && s % HOUR === 0) return `${s / HOUR} h`;
  if (s >= MINUTE && s % MINUTE === 0) return `${s / MINUTE} min`;
  return `${s} s`;
}

function names(list: readonly string[]): string {
  return list.join(', ');
}

function queryKeyClause(q: QueryStringBehavior): string {
  switch (q.behavior) {
    case 'none':
      return 'query strings not in key';
    case 'all':
      return 'query strings in key';
    case 'whitelist':
      return `query strings ${names(q.names)} in key`;
    case 'allExcept':
      return `query strings in key except ${names(q.names)}`;
    default: {
      const impossible: never = q;
      return String(impossible);
    }
  }
}

/** `CachingOptimized (query strings not in key, 24 h default TTL, min 1 s)`. */
function describeCachePolicy(p: CachePolicy): string {
  if (p.maxTTL === 0) return `${p.name} (nothing cached)`;
  const parts = [queryKeyClause(p.queryStrings)];
  if (p.defaultTTL === 0) parts.push("cached only as the origin's Cache-Control says");
  else parts.push(`${humanSeconds(p.defaultTTL)} default TTL`);
  if (p.minTTL > 0) parts.push(`min ${humanSeconds(p.minTTL)}`);
  return `${p.name} (${parts.join(', ')})`;
}

function describeOriginRequestPolicy(p: OriginRequestPolicy | undefined): string {
  return p === undefined ? 'none (the origin gets what the cache key holds)' : p.name;
}

function functionsClause(b: ResolvedBehavior, config?: ResolvedConfig): string | undefined {
  const out: string[] = [];
  for (const event of EVENT_TYPES) {
    const a = b.functions[event];
    if (a === undefined) continue;
    // A CloudFront Function says so: its runtime after the id.
    const runtime = config?.functions.get(a.functionId)?.cff?.runtime;
    out.push(`${event} ${a.qualifier === undefined ? a.functionId : `${a.functionId}:${a.qualifier}`}${runtime === undefined ? '' : ` (${runtime})`}`);
  }
  return out.length === 0 ? undefined : out.join(', ');
}

/** `* → origin http://127.0.0.1:5173 · cache CachingOptimized (…) · origin request AllViewerExceptHostHeader · viewer-request auth`. */
export function behaviorLine(config: ResolvedConfig, b: ResolvedBehavior): string {
  const origin = config.origins.get(b.originId);
  const group = b.originGroupId === undefined ? undefined : config.originGroups.get(b.originGroupId);
  // docs/cloudfront-reference.md §14: the group, its primary, and where it fails over to on what.
  const target =
    group === undefined
      ? `origin ${origin?.url ?? b.originId}`
      : `origin group ${group.id} (${group.primary.url}, failing over to ${group.secondary.url} on ${group.statusCodes.join(', ')} or no answer)`;
  let line = `${b.pathPattern} → ${target} · cache ${describeCachePolicy(b.cachePolicy)} · origin request ${describeOriginRequestPolicy(b.originRequestPolicy)}`;
  const fns = functionsClause(b, config);
  if (fns !== undefined) line += ` · ${fns}`;
  // docs/cloudfront-reference.md §16: only a policy that changes what HTTP viewers get is worth a word.
  if (b.viewerProtocolPolicy !== undefined && b.viewerProtocolPolicy !== 'allow-all') line += ` · ${b.viewerProtocolPolicy}`;
  return line;
}

/**
 * True when the origin can get query strings the cache key leaves out (CloudFront forwards every
 * query string of the key, plus what the origin request policy adds: §6.4). A policy that caches
 * nothing shares no answers, so it never counts.
 */
function forwardsUnkeyedQueryStrings(b: ResolvedBehavior): boolean {
  const key = b.cachePolicy.queryStrings;
  const fwd = b.originRequestPolicy?.queryStrings;
  if (b.cachePolicy.maxTTL === 0 || fwd === undefined || key.behavior === 'all') return false;
  switch (fwd.behavior) {
    case 'none':
      return false;
    case 'all':
    case 'allExcept':
      return true;
    case 'whitelist':
      if (key.behavior === 'none') return fwd.names.length > 0;
      if (key.behavior === 'whitelist') return fwd.names.some((n) => !key.names.includes(n));
      return fwd.names.some((n) => key.names.includes(n)); // allExcept: the excepted names are unkeyed
    default: {
      const impossible: never = fwd;
      return Boolean(impossible);
    }
  }
}

/**
 * One warning for every behavior whose origin gets unkeyed query strings, or undefined. `flagsMode`
 * picks the advice: a flag, or the config file's behaviors.
 */
export function unkeyedQueryWarning(config: ResolvedConfig, flagsMode: boolean): string | undefined {
  const hits = config.behaviors.filter(forwardsUnkeyedQueryStrings);
  if (hits.length === 0) return undefined;
  const which = hits
    .map((b) => `"${b.pathPattern}" (cache ${b.cachePolicy.name}, origin request ${describeOriginRequestPolicy(b.originRequestPolicy)})`)
    .join(', ');
  const fix = flagsMode
    ? 'behind a dev server use --cache-policy CachingDisabled, or --cache-policy UseOriginCacheControlHeaders-QueryStrings to key them'
    : 'set "cachePolicy" on those behaviors to one that keys query strings (UseOriginCacheControlHeaders-QueryStrings) or to CachingDisabled';
  return (
    `edgeproxy: the origin gets query strings the cache key leaves out, on behavior${hits.length > 1 ? 's' : ''} ${which}: ` +
    `/app.js?v=1 and /app.js?v=2 share one cached answer; ${fix} (see README "Behind a dev server")`
  );
}

/**
 * The HTTPS listener's start lines (docs/cloudfront-reference.md §16): where it listens and, for the
 * self-signed certificate edgeproxy made, where it is and how to trust it.
 */
export function httpsLines(https: { url: string; selfSigned: { certFile: string; fingerprint: string; created: boolean } | undefined }, httpVersion: string): string[] {
  const versions = httpVersion === 'http1.1' ? 'HTTP/1.1' : 'HTTP/2 and HTTP/1.1';
  const lines = [`edgeproxy listening on ${https.url} (${versions})`];
  const self = https.selfSigned;
  if (self === undefined) return lines;
  lines.push(
    `  self-signed certificate for localhost, 127.0.0.1 and ::1 (${self.created ? 'made now' : 'kept from an earlier start'}), SHA-256 ${self.fingerprint}`,
    `  trust it: curl --cacert ${self.certFile} ${https.url}/`,
    `            NODE_EXTRA_CA_CERTS=${self.certFile} node …`,
    `            browsers: import ${self.certFile} as a trusted certificate, or accept the warning once`,
  );
  return lines;
}
