// How long CloudFront keeps a response: docs/cloudfront-reference.md §6.5 (TTL algorithm), §6.6 (error caching), with
// RFC 9111 filling every gap CloudFront leaves open (decisions in docs/decisions.md).
// Also the robust parsers for Cache-Control, HTTP dates and delta-seconds that freshness uses.

import type { CachePolicy } from '../config/types.js';
import type { CfHeaders } from '../event/types.js';

// ---------------------------------------------------------------------------------------------
// Header access (CfHeaders: lowercase name → one entry per header line, docs/cloudfront-reference.md §1.2)

/** Every line's value of one header, in order; [] when absent. */
export function headerValues(h: CfHeaders, lowerName: string): string[] {
  const entries = h[lowerName];
  if (entries === undefined) return [];
  const out: string[] = [];
  for (const e of entries) out.push(e.value);
  return out;
}

/** The first line's value of one header. */
export function firstHeader(h: CfHeaders, lowerName: string): string | undefined {
  return h[lowerName]?.[0]?.value;
}

// ---------------------------------------------------------------------------------------------
// Cache-Control (RFC 9111 §5.2, RFC 9110 §5.6)

/** A directive's argument: null when none was given, `invalid` when the argument did not parse. */
type DirectiveValue = { readonly value: string | null; readonly valid: boolean };
type CacheControl = ReadonlyMap<string, DirectiveValue>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;
/** RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31. */
const DELTA_MAX = 2147483648;

/**
 * Splits a list on commas that are not inside a quoted-string (RFC 9110 §5.6.1, §5.6.4), so that
 * `no-cache="Set-Cookie, X-A"` stays one member.
 */
export function splitList(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x2c /* , */) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Unquotes a complete quoted-string; undefined when it is not one. */
function unquote(raw: string): string | undefined {
  if (raw.length < 2 || raw[0] !== '"' || raw[raw.length - 1] !== '"') return undefined;
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const ch = raw[i] as string;
    if (ch === '\\') {
      i++;
      if (i >= raw.length - 1) return undefined;
      out += raw[i];
    } else if (ch === '"') return undefined;
    else out += ch;
  }
  return out;
}

/**
 * Parses every Cache-Control line of a message into directive name (lowercase) → argument.
 * When a directive repeats, the first occurrence wins (RFC 9111 §4.2.1 allows "first occurrence");
 * members whose name is not a token (e.g. `max-age =5`) are ignored; quoted and token arguments
 * are both accepted (RFC 9111 §5.2: "recipients SHOULD accept both forms").
 */
export function parseCacheControl(lines: readonly string[]): CacheControl {
  const out = new Map<string, DirectiveValue>();
  for (const line of lines) {
    for (const member of splitList(line)) {
      const item = trimOws(member);
      if (item === '') continue;
      const eq = item.indexOf('=');
      const name = (eq === -1 ? item : item.slice(0, eq)).toLowerCase();
      if (!TOKEN.test(name) || out.has(name)) continue;
      if (eq === -1) {
        out.set(name, { value: null, valid: true });
        continue;
      }
      const raw = item.slice(eq + 1);
      if (raw.startsWith('"')) {
        const v = unquote(raw);
        out.set(name, v === undefined ? { value: raw, valid: false } : { value: v, valid: true });
      } else {
        out.set(name, { value: raw, valid: TOKEN.test(raw) });
      }
    }
  }
  return out;
}

/** delta-seconds (RFC 9111 §1.2.2): non-negative integer; `invalid` for `-1`, `1.5`, `'3'`, ''. */
function parseDeltaSeconds(v: string): number | 'invalid' {
  if (!DIGITS.test(v)) return 'invalid';
  const n = Number(v);
  return n > DELTA_MAX ? DELTA_MAX : n;
}

/**
 * A directive's delta-seconds: undefined when absent; 0 when present but invalid, because
 * RFC 9111 §4.2.1 encourages treating invalid freshness information as stale.
 */
export function directiveSeconds(cc: CacheControl, name: string): number | undefined {
  const d = cc.get(name);
  if (d === undefined) return undefined;
  if (d.value === null || !d.valid) return 0;
  const n = parseDeltaSeconds(d.value);
  return n === 'invalid' ? 0 : n;
}

/** Field names of a qualified `no-cache="a, b"` / `private="a"`, lowercase; undefined when unqualified. */
export function qualifiedFields(cc: CacheControl, name: string): string[] | undefined {
  const d = cc.get(name);
  if (d === undefined || d.value === null) return undefined;
  const names = splitList(d.value)
    .map((s) => trimOws(s).toLowerCase())
    .filter((s) => s !== '' && TOKEN.test(s));
  return names.length === 0 ? undefined : names;
}

// ---------------------------------------------------------------------------------------------
// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime; nothing else.

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};
const IMF = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(y: number, mon: string, d: number, h: number, mi: number, s: number): number | undefined {
  const m = MONTHS[mon];
  if (m === undefined || h > 23 || mi > 59 || s > 60 || d < 1) return undefined;
  const t = Date.UTC(y, m, d, h, mi, Math.min(s, 59));
  // Date.UTC rolls 31 Feb into March; a date that does not round-trip is invalid.
  if (new Date(t).getUTCDate() !== d) return undefined;
  return t;
}

/**
 * Parses an HTTP-date into ms since the epoch; undefined when invalid. Case-sensitive and GMT-only
 * as RFC 9110 §5.6.7 defines it; two-digit years more than 50 years ahead are in the past century.
 */
export function parseHttpDate(v: string, now: number = Date.now()): number | undefined {
  const s = trimOws(v);
  let m = IMF.exec(s);
  if (m) return utc(Number(m[3]), m[2] as string, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(s);
  if (m) {
    const yy = Number(m[3]);
    const thisYear = new Date(now).getUTCFullYear();
    let y = Math.floor(thisYear / 100) * 100 + yy;
    if (y > thisYear + 50) y -= 100;
    return utc(y, m[2] as string, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(s);
  if (m) return utc(Number(m[6]), m[1] as string, Number((m[2] as string).trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/** HTTP-date for a header value (IMF-fixdate). */
function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

let dateSecond = -1;
let dateText = '';

/** The current HTTP-date, built at most once a second: every generated response carries one. */
export function httpDateNow(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = formatHttpDate(second * 1000);
  }
  return dateText;
}

/**
 * The origin's Age (RFC 9111 §5.1): first member of the first line; ignored (undefined) when it is
 * not a non-negative integer.
 */
export function parseAge(h: CfHeaders): number | undefined {
  const first = firstHeader(h, 'age');
  if (first === undefined) return undefined;
  const member = trimOws(splitList(first)[0] ?? '');
  const n = parseDeltaSeconds(member);
  return n === 'invalid' ? undefined : n;
}

// ---------------------------------------------------------------------------------------------
// TTL decision

/** docs/cloudfront-reference.md §6.6: cached even without Cache-Control, for max(error-caching min TTL, max-age/s-maxage). */
const ALWAYS_CACHED_ERRORS: ReadonlySet<number> = new Set([404, 414, 500, 501, 502, 503, 504]);
/** docs/cloudfront-reference.md §6.6: cached only when the origin sent max-age or s-maxage. */
const CACHED_WITH_MAX_AGE_ERRORS: ReadonlySet<number> = new Set([400, 403, 405, 412, 415]);
/**
 * AWS "custom-error-pages-expiration": for these codes no-store/no-cache/private prevent error caching;
 * for every other cached error code CloudFront ignores those directives.
 */
const ERRORS_HONOURING_NO_STORE: ReadonlySet<number> = new Set([404, 410, 414, 501]);
/** AWS: "CloudFront doesn't cache status code 416 responses". */
const NEVER_CACHED_ERRORS: ReadonlySet<number> = new Set([416]);
/**
 * Status codes whose caching rules edgeproxy implements, for `must-understand` (RFC 9111 §5.2.2.3).
 * 206 and 304 are understood but never stored as such (see decideTtl).
 */
const UNDERSTOOD: ReadonlySet<number> = new Set([
  200, 203, 204, 300, 301, 302, 303, 307, 308, 400, 403, 404, 405, 410, 412, 414, 415, 500, 501, 502, 503, 504,
]);

const DEFAULT_CACHED_METHODS: readonly string[] = ['GET', 'HEAD'];

export interface TtlInput {
  /** Final status (after origin-response; or the origin-request-generated response). */
  status: number;
  /** Response headers (after origin-response). */
  headers: CfHeaders;
  /** The viewer's request method. */
  method: string;
  policy: CachePolicy;
  /** ms epoch: when the response arrived (our clock). */
  now: number;
  /** Error caching minimum TTL in seconds (CloudFront default 10, docs/cloudfront-reference.md §6.6). */
  errorCachingMinTtl: number;
  /** Per-status error caching minimum TTL from custom error responses (docs/cloudfront-reference.md §6.6). */
  customErrorTtls?: ReadonlyMap<number, number>;
  /** The behavior's cached methods; GET and HEAD when absent. */
  cachedMethods?: readonly string[];
  /** Whether the request carried Authorization (RFC 9111 §3.5). */
  requestHasAuthorization?: boolean;
}

export interface TtlDecision {
  store: boolean;
  /** Freshness lifetime in seconds (CloudFront's TTL), compared with the current age. */
  ttl: number;
  /** Short stable reason, for logs and Cache-Status `detail`. */
  reason: string;
  /** Seconds of stale-while-revalidate granted by the origin (0 = none). */
  staleWhileRevalidate: number;
  /** Seconds of stale-if-error; undefined when the origin did not say (CloudFront's default applies). */
  staleIfError: number | undefined;
  /** must-revalidate or proxy-revalidate: never serve stale. */
  mustRevalidate: boolean;
  /** Lowercase header names to drop from the stored copy (qualified no-cache / private). */
  stripFields: readonly string[];
  /** May this response be served to a request that carries Authorization (RFC 9111 §3.5)? */
  sharedWithAuthorization: boolean;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Explicit freshness in seconds per CloudFront's order (docs/cloudfront-reference.md §6.5: s-maxage beats max-age beats
 * Expires); undefined when the response carries none. An invalid Expires counts as already expired
 * (RFC 9111 §5.3), measured from Date, or from `now` when Date is absent or invalid.
 */
function explicitFreshness(cc: CacheControl, h: CfHeaders, now: number): { seconds: number; source: string } | undefined {
  const s = directiveSeconds(cc, 's-maxage');
  if (s !== undefined) return { seconds: s, source: 's-maxage' };
  const m = directiveSeconds(cc, 'max-age');
  if (m !== undefined) return { seconds: m, source: 'max-age' };
  const exp = firstHeader(h, 'expires');
  if (exp === undefined) return undefined;
  const expires = parseHttpDate(exp, now);
  if (expires === undefined) return { seconds: 0, source: 'expires-invalid' };
  const dateRaw = firstHeader(h, 'date');
  const date = dateRaw === undefined ? undefined : parseHttpDate(dateRaw, now);
  const base = date ?? now;
  return { seconds: Math.max(0, Math.floor((expires - base) / 1000)), source: 'expires' };
}

function hasValidator(h: CfHeaders): boolean {
  return h['etag'] !== undefined || h['last-modified'] !== undefined;
}

function varyHasStar(h: CfHeaders): boolean {
  for (const line of headerValues(h, 'vary')) {
    for (const m of splitList(line)) if (trimOws(m) === '*') return true;
  }
  return false;
}

/**
 * Decides whether and for how long a response is kept (docs/cloudfront-reference.md §6.5, §6.6; RFC 9111 §3 where the
 * spec is silent). Pure: same input, same answer.
 */
export function decideTtl(input: TtlInput): TtlDecision {
  const { status, headers, policy, now } = input;
  const cc = parseCacheControl(headerValues(headers, 'cache-control'));
  const mustRevalidate = cc.has('must-revalidate') || cc.has('proxy-revalidate');
  const swr = directiveSeconds(cc, 'stale-while-revalidate') ?? 0;
  const sie = directiveSeconds(cc, 'stale-if-error');
  const noCacheFields = qualifiedFields(cc, 'no-cache');
  const privateFields = qualifiedFields(cc, 'private');
  const stripFields = [...(noCacheFields ?? []), ...(privateFields ?? [])];
  const sharedWithAuthorization = cc.has('public') || cc.has('s-maxage') || cc.has('must-revalidate');
  // Literal objects of one shape (a spread of a shared base was 2 µs per miss in the profile).
  const decision = (store: boolean, ttl: number, reason: string): TtlDecision => ({
    store,
    ttl,
    reason,
    staleWhileRevalidate: swr,
    staleIfError: sie,
    mustRevalidate,
    stripFields,
    sharedWithAuthorization,
  });
  const no = (reason: string): TtlDecision => decision(false, 0, reason);
  const yes = (ttl: number, reason: string): TtlDecision => decision(true, ttl, reason);

  const method = input.method.toUpperCase();
  if (!(input.cachedMethods ?? DEFAULT_CACHED_METHODS).includes(method)) return no('method');
  // A HEAD answer has no body; storing it under GET's key would serve empty bodies to GETs.
  if (method === 'HEAD') return no('head');
  // docs/cloudfront-reference.md §6.2: CachingDisabled (all TTLs 0) caches nothing and disables error caching too.
  if (policy.maxTTL <= 0) return no('caching-disabled');
  if (status < 200 || status > 999) return no('status');
  // RFC 9111 §3: 304 and 206 are never stored as responses of their own (see decisions).
  if (status === 304) return no('not-modified');
  if (status === 206) return no('partial-content');
  // RFC 9111 §3.5: a request with Authorization is only cached when the response allows sharing,
  // unless Authorization is part of the cache key (then each credential has its own entry).
  if (input.requestHasAuthorization === true && !sharedWithAuthorization && !keysOnAuthorization(policy)) {
    return no('authorization');
  }

  const mustUnderstand = cc.has('must-understand');
  if (mustUnderstand && !UNDERSTOOD.has(status)) return no('must-understand');
  // RFC 9111 §5.2.2.3: must-understand with an understood status overrides no-store.
  const noStore = cc.has('no-store') && !(mustUnderstand && UNDERSTOOD.has(status));
  const isPrivate = cc.has('private') && privateFields === undefined;
  const isNoCache = cc.has('no-cache') && noCacheFields === undefined;
  // docs/cloudfront-reference.md §6.5: `Vary: *` (MinTTL 0) is refetched unconditionally every time, and RFC 9111 §4.1 says it
  // never matches a later request: storing it gains nothing (MinTTL > 0 too, see decisions).
  if (varyHasStar(headers)) return no('vary-star');

  if (status >= 400) {
    if (NEVER_CACHED_ERRORS.has(status)) return no('error-416');
    const explicit = explicitFreshness(cc, headers, now);
    const listedAlways = ALWAYS_CACHED_ERRORS.has(status);
    const listedMaxAge = CACHED_WITH_MAX_AGE_ERRORS.has(status);
    if (listedAlways || listedMaxAge) {
      if ((noStore || isPrivate || isNoCache) && ERRORS_HONOURING_NO_STORE.has(status)) return no('error-no-store');
      if (listedMaxAge && !cc.has('max-age') && !cc.has('s-maxage')) return no('error-without-max-age');
      const errTtl = input.customErrorTtls?.get(status) ?? input.errorCachingMinTtl;
      // AWS: the origin's value counts only up to MaxTTL; the error-caching minimum is a floor.
      const ttl = Math.max(errTtl, explicit === undefined ? 0 : Math.min(explicit.seconds, policy.maxTTL));
      return ttl > 0 ? yes(ttl, 'error-caching') : no('error-ttl-zero');
    }
    // Not in CloudFront's lists (401, 410, 429, 505…; docs/cloudfront-reference.md §10.12 [U]): an RFC 9111 shared cache,
    // i.e. only with explicit freshness, never by a default.
    if (noStore || isPrivate || isNoCache) return no(noStore ? 'no-store' : isPrivate ? 'private' : 'no-cache');
    if (explicit === undefined) return no('error-not-listed');
    const ttl = clamp(explicit.seconds, policy.minTTL, policy.maxTTL);
    return ttl > 0 ? yes(ttl, explicit.source) : no('error-ttl-zero');
  }

  // docs/cloudfront-reference.md §6.5 first branch: no-cache | no-store | private → MinTTL (0 → not cached).
  if (noStore || isPrivate || isNoCache) {
    const which = noStore ? 'no-store' : isPrivate ? 'private' : 'no-cache';
    return policy.minTTL > 0 ? yes(policy.minTTL, `min-ttl-over-${which}`) : no(which);
  }
  const explicit = explicitFreshness(cc, headers, now);
  const ttl =
    explicit === undefined
      ? Math.max(policy.minTTL, policy.defaultTTL)
      : clamp(explicit.seconds, policy.minTTL, policy.maxTTL);
  const reason = explicit === undefined ? 'default-ttl' : explicit.source;
  if (ttl > 0) return yes(ttl, reason);
  // TTL 0: worth keeping only to revalidate it next time (RefreshHit on 304); without a
  // validator every use would be a full refetch anyway.
  return hasValidator(headers) ? yes(0, `${reason}-revalidate`) : no(`${reason}-zero`);
}

function keysOnAuthorization(policy: CachePolicy): boolean {
  return policy.headers.behavior === 'whitelist' && policy.headers.names.includes('authorization');
}

/**
 * A copy of `headers` without the named fields: used for `no-cache="Set-Cookie"` (docs/cloudfront-reference.md §6.5 keeps
 * Set-Cookie out of the cached copy) and `private="…"` (RFC 9111 §5.2.2.7).
 */
export function stripFields(headers: CfHeaders, lowerNames: readonly string[]): CfHeaders {
  if (lowerNames.length === 0) return headers;
  const out: CfHeaders = {};
  for (const name of Object.keys(headers)) {
    if (lowerNames.includes(name)) continue;
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
