// Signed URLs and signed cookies (docs/cloudfront-reference.md §15): a behavior with trusted key groups
// serves only requests that carry a signature made with the private key of one of the groups' public
// keys. Pure rules — reading the signing values from the query string or the cookies, CloudFront's
// URL-safe base64, the canned policy CloudFront builds, the custom policy's shape, the signature check
// (node:crypto), the Resource wildcards, the date and IP conditions. The pipeline step is
// pipeline/restrict-viewer-access.ts; the keys are read and checked at start (config/resolve/trusted-key-groups.ts).

import { type KeyObject, verify } from 'node:crypto';

/** A public key of a trusted key group, parsed at start. */
export interface TrustedKey {
  /** The public key's ID, what a signed URL names in Key-Pair-Id. */
  readonly id: string;
  /** The key group that trusts it (for the log). */
  readonly keyGroup: string;
  readonly key: KeyObject;
}

/** A behavior's TrustedKeyGroups, resolved: every public key of every group, by ID. */
export interface TrustedKeyGroups {
  /** The key groups' IDs, in the behavior's order. */
  readonly groups: readonly string[];
  readonly keys: ReadonlyMap<string, TrustedKey>;
}

/** The signing values of one request, from its query string or from its cookies (§15.2). */
export interface SigningValues {
  readonly source: 'query' | 'cookie';
  readonly keyPairId: string | undefined;
  readonly signature: string | undefined;
  readonly policy: string | undefined;
  readonly expires: string | undefined;
  readonly hashAlgorithm: string | undefined;
}

/** The signed cookies' names (§15.2); cookie names are case-sensitive. */
const SIGNING_COOKIES = {
  expires: 'CloudFront-Expires',
  policy: 'CloudFront-Policy',
  signature: 'CloudFront-Signature',
  keyPairId: 'CloudFront-Key-Pair-Id',
  hashAlgorithm: 'CloudFront-Hash-Algorithm',
} as const;

/** The four ways CloudFront refuses a signed request, as the error codes of src/errors.ts (§15.5). */
export type SignatureDenial = 'SignatureMissingKey' | 'SignatureUnknownKey' | 'SignatureMalformedPolicy' | 'SignatureAccessDenied';

/** Why a request was refused: the viewer gets the code's XML body, the log the reason and the field. */
export interface Refusal {
  readonly code: SignatureDenial;
  readonly reason: string;
  /** The query parameter or cookie at fault. */
  readonly field: string;
}

function decodeComponent(v: string): string {
  if (v.indexOf('%') === -1) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * The signing values in a raw query string (without `?`) — `Expires`, `Policy`, `Signature`,
 * `Key-Pair-Id`, `Hash-Algorithm`, names a URL's own parameters cannot have (§15.2) — and the query string without them — the
 * part that belongs to the URL CloudFront checks the policy against (§15.3). Undefined when the query
 * string has none of them.
 */
export function signingValuesFromQuery(querystring: string): { values: SigningValues; rest: string } | undefined {
  if (querystring === '') return undefined;
  let keyPairId: string | undefined;
  let signature: string | undefined;
  let policy: string | undefined;
  let expires: string | undefined;
  let hashAlgorithm: string | undefined;
  let found = false;
  const kept: string[] = [];
  for (const pair of querystring.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    switch (name) {
      case 'Key-Pair-Id':
        keyPairId ??= value;
        break;
      case 'Signature':
        signature ??= value;
        break;
      case 'Policy':
        policy ??= value;
        break;
      case 'Expires':
        expires ??= value;
        break;
      case 'Hash-Algorithm':
        hashAlgorithm ??= value;
        break;
      default:
        kept.push(pair);
        continue;
    }
    found = true;
  }
  if (!found) return undefined;
  return { values: { source: 'query', keyPairId, signature, policy, expires, hashAlgorithm }, rest: kept.join('&') };
}

/** The signed cookies among the viewer's `Cookie` header values (first of each name wins). */
export function signingValuesFromCookies(cookieHeaders: readonly string[]): SigningValues {
  const got: Record<string, string> = {};
  for (const header of cookieHeaders) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      const name = part.slice(0, eq).trim();
      if (!name.startsWith('CloudFront-') || Object.hasOwn(got, name)) continue;
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') value = value.slice(1, -1);
      got[name] = value;
    }
  }
  return {
    source: 'cookie',
    keyPairId: got[SIGNING_COOKIES.keyPairId],
    signature: got[SIGNING_COOKIES.signature],
    policy: got[SIGNING_COOKIES.policy],
    expires: got[SIGNING_COOKIES.expires],
    hashAlgorithm: got[SIGNING_COOKIES.hashAlgorithm],
  };
}

/**
 * CloudFront's URL-safe base64 (§15.4): `+` → `-`, `=` → `_`, `/` → `~`. Undefined for text that is
 * not base64 in that alphabet (padding may be left out).
 */
export function decodeUrlSafeBase64(text: string): Buffer | undefined {
  if (text.length === 0 || !/^[A-Za-z0-9~-]*_{0,2}$/.test(text)) return undefined;
  const b64 = text.replace(/-/g, '+').replace(/~/g, '/').replace(/_/g, '=');
  if (b64.length % 4 === 1) return undefined;
  return Buffer.from(b64, 'base64');
}

export function encodeUrlSafeBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** The policy CloudFront builds for a canned-policy signature (§15.3), byte for byte what the signer signed. */
export function cannedPolicy(resource: string, expires: number): string {
  return `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
}

/** An IPv4 range as two 32-bit numbers. */
interface Ipv4Range {
  readonly base: number;
  readonly mask: number;
  readonly text: string;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

/** `192.0.2.0/24`, or one address (as /32); IPv4 only (§15.3). */
export function parseCidr(text: string): Ipv4Range | undefined {
  const slash = text.indexOf('/');
  const addr = ipv4(slash === -1 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  let bits = 32;
  if (slash !== -1) {
    const m = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(m) || Number(m) > 32) return undefined;
    bits = Number(m);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, mask, text };
}

export function inRange(range: Ipv4Range, ip: string): boolean {
  const a = ipv4(ip);
  return a !== undefined && ((a & range.mask) >>> 0) === range.base;
}

/** The one statement of a policy, as CloudFront reads it (§15.3). */
export interface PolicyStatement {
  /** Undefined: every URL (a custom policy may leave Resource out). */
  readonly resource: string | undefined;
  /** Seconds since the epoch: the request must come before it. */
  readonly dateLessThan: number;
  readonly dateGreaterThan: number | undefined;
  readonly ipAddress: Ipv4Range | undefined;
}

const STATEMENT_KEYS = new Set(['Resource', 'Condition']);
const CONDITION_KEYS = new Set(['DateLessThan', 'DateGreaterThan', 'IpAddress']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function epochTime(v: unknown, name: string): number | string {
  if (!isObject(v) || Object.keys(v).length !== 1 || !Object.hasOwn(v, 'AWS:EpochTime')) return `Condition.${name} must be {"AWS:EpochTime": <seconds>}`;
  const t = v['AWS:EpochTime'];
  // "Do not enclose the value in quotation marks" (§15.3).
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) return `Condition.${name}."AWS:EpochTime" must be a whole number of seconds, not ${JSON.stringify(t)}`;
  return t;
}

/** The statement of a custom policy's JSON, or why it is malformed (§15.3). */
export function parsePolicy(json: string): PolicyStatement | string {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return 'the policy is not JSON';
  }
  if (!isObject(doc) || !Array.isArray(doc.Statement)) return 'the policy has no "Statement" list';
  if (Object.keys(doc).length !== 1) return `the policy may hold only "Statement", it has ${Object.keys(doc).map((k) => JSON.stringify(k)).join(', ')}`;
  if (doc.Statement.length !== 1) return `the policy must have exactly one statement, it has ${doc.Statement.length}`;
  const s: unknown = doc.Statement[0];
  if (!isObject(s)) return 'the statement is not an object';
  const extra = Object.keys(s).find((k) => !STATEMENT_KEYS.has(k));
  if (extra !== undefined) return `the statement has an unknown key ${JSON.stringify(extra)} (only "Resource" and "Condition")`;
  if (s.Resource !== undefined && typeof s.Resource !== 'string') return '"Resource" must be one string';
  const c = s.Condition;
  if (!isObject(c)) return 'the statement has no "Condition"';
  const extraCondition = Object.keys(c).find((k) => !CONDITION_KEYS.has(k));
  if (extraCondition !== undefined) return `"Condition" has an unknown key ${JSON.stringify(extraCondition)} (only DateLessThan, DateGreaterThan, IpAddress)`;
  if (c.DateLessThan === undefined) return '"Condition" has no DateLessThan (it is required)';
  const dateLessThan = epochTime(c.DateLessThan, 'DateLessThan');
  if (typeof dateLessThan === 'string') return dateLessThan;
  let dateGreaterThan: number | undefined;
  if (c.DateGreaterThan !== undefined) {
    const t = epochTime(c.DateGreaterThan, 'DateGreaterThan');
    if (typeof t === 'string') return t;
    dateGreaterThan = t;
  }
  let ipAddress: Ipv4Range | undefined;
  if (c.IpAddress !== undefined) {
    const ip = c.IpAddress;
    if (!isObject(ip) || Object.keys(ip).length !== 1 || typeof ip['AWS:SourceIp'] !== 'string') return 'Condition.IpAddress must be {"AWS:SourceIp": "<IPv4 CIDR>"}';
    const range = parseCidr(ip['AWS:SourceIp']);
    if (range === undefined) return `Condition.IpAddress."AWS:SourceIp" ${JSON.stringify(ip['AWS:SourceIp'])} is not one IPv4 address or IPv4 CIDR range (IPv6 is not supported)`;
    ipAddress = range;
  }
  return { resource: s.Resource, dateLessThan, dateGreaterThan, ipAddress };
}

/**
 * A policy Resource against the URL (§15.3): `*` matches zero or more characters, `?` exactly one,
 * anywhere in the string; everything else literally. Iterative, so a pattern of many `*` cannot take
 * exponential time.
 */
export function resourceMatches(pattern: string, url: string): boolean {
  let p = 0;
  let u = 0;
  let star = -1;
  let mark = 0;
  while (u < url.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === url[u])) {
      p++;
      u++;
    } else if (c === '*') {
      star = p++;
      mark = u;
    } else if (star !== -1) {
      p = star + 1;
      u = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Signatures that verified, so signed cookies sent with every request of a page (and a signed URL
 * fetched again) cost one RSA or ECDSA verification, not one per request. A verification is a pure
 * function of key, algorithm, signed text and signature; the policy's conditions are still checked
 * per request. Per key object, so two proxies in one process never share a verdict; bounded: cleared when full.
 */
const VERIFIED = new WeakMap<KeyObject, Set<string>>();
const MAX_VERIFIED = 1024;

function verified(key: TrustedKey, algorithm: 'sha1' | 'sha256', signed: string, signatureText: string, sig: Buffer): boolean {
  let seen = VERIFIED.get(key.key);
  const memo = `${algorithm}\n${signatureText}\n${signed}`;
  if (seen?.has(memo) === true) return true;
  let ok: boolean;
  try {
    ok = verify(algorithm, Buffer.from(signed, 'utf8'), key.key, sig);
  } catch {
    ok = false;
  }
  if (ok) {
    if (seen === undefined) {
      seen = new Set();
      VERIFIED.set(key.key, seen);
    } else if (seen.size >= MAX_VERIFIED) seen.clear();
    seen.add(memo);
  }
  return ok;
}

/** What the check needs of the request. */
export interface SignedRequest {
  /** The URL CloudFront compares the policy's Resource with: scheme, host, path, query without the signing values. */
  readonly url: string;
  readonly clientIp: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

function refuse(code: SignatureDenial, reason: string, field: string): Refusal {
  return { code, reason, field };
}

function name(v: SigningValues, param: keyof typeof SIGNING_COOKIES): string {
  if (v.source === 'cookie') return SIGNING_COOKIES[param];
  switch (param) {
    case 'keyPairId':
      return 'Key-Pair-Id';
    case 'hashAlgorithm':
      return 'Hash-Algorithm';
    case 'expires':
      return 'Expires';
    case 'policy':
      return 'Policy';
    case 'signature':
      return 'Signature';
  }
}

/**
 * Checks a signed request against the behavior's trusted key groups (§15.5), in CloudFront's order:
 * the key, the policy's form, the signature, then the policy's conditions. Undefined when the request
 * may go on.
 */
export function checkSignature(trusted: TrustedKeyGroups, v: SigningValues, req: SignedRequest): Refusal | undefined {
  const keyId = v.keyPairId;
  if (keyId === undefined || keyId === '') {
    const where = v.source === 'query' ? 'the query string has signing parameters but no Key-Pair-Id' : 'no Key-Pair-Id query parameter or CloudFront-Key-Pair-Id cookie';
    return refuse('SignatureMissingKey', where, name(v, 'keyPairId'));
  }
  const key = trusted.keys.get(keyId);
  if (key === undefined) {
    return refuse('SignatureUnknownKey', `key ${JSON.stringify(keyId)} is not a public key of the behavior's trusted key groups (${trusted.groups.join(', ')})`, name(v, 'keyPairId'));
  }

  // The policy that was signed: the custom one as sent, or the canned one CloudFront builds.
  let signed: string;
  let statement: PolicyStatement;
  if (v.policy !== undefined) {
    const bytes = decodeUrlSafeBase64(v.policy);
    if (bytes === undefined) return refuse('SignatureMalformedPolicy', 'the policy is not URL-safe base64', name(v, 'policy'));
    signed = bytes.toString('utf8');
    const parsed = parsePolicy(signed);
    if (typeof parsed === 'string') return refuse('SignatureMalformedPolicy', parsed, name(v, 'policy'));
    statement = parsed;
  } else if (v.expires !== undefined) {
    if (!/^\d{1,10}$/.test(v.expires)) return refuse('SignatureMalformedPolicy', `${name(v, 'expires')} ${JSON.stringify(v.expires)} is not a Unix time in seconds`, name(v, 'expires'));
    const expires = Number(v.expires);
    signed = cannedPolicy(req.url, expires);
    statement = { resource: req.url, dateLessThan: expires, dateGreaterThan: undefined, ipAddress: undefined };
  } else {
    return refuse('SignatureMalformedPolicy', `neither ${name(v, 'policy')} nor ${name(v, 'expires')}`, name(v, 'policy'));
  }

  const algorithm = v.hashAlgorithm === undefined || v.hashAlgorithm === 'SHA1' ? 'sha1' : v.hashAlgorithm === 'SHA256' ? 'sha256' : undefined;
  if (algorithm === undefined) return refuse('SignatureAccessDenied', `${name(v, 'hashAlgorithm')} ${JSON.stringify(v.hashAlgorithm)} is neither SHA1 nor SHA256`, name(v, 'hashAlgorithm'));
  if (v.signature === undefined || v.signature === '') return refuse('SignatureAccessDenied', `no ${name(v, 'signature')}`, name(v, 'signature'));
  const sig = decodeUrlSafeBase64(v.signature);
  if (sig === undefined) return refuse('SignatureAccessDenied', 'the signature is not URL-safe base64', name(v, 'signature'));
  if (!verified(key, algorithm, signed, v.signature, sig)) {
    const what = v.policy === undefined ? `the canned policy for ${req.url}` : 'the policy';
    return refuse('SignatureAccessDenied', `the signature does not verify with key ${keyId} (${algorithm.toUpperCase()}) over ${what}`, name(v, 'signature'));
  }

  // The signature is good: the statement's conditions (§15.3).
  if (statement.resource !== undefined && !resourceMatches(statement.resource, req.url)) {
    return refuse('SignatureAccessDenied', `the policy's Resource ${JSON.stringify(statement.resource)} does not match ${req.url}`, name(v, 'policy'));
  }
  if (req.now >= statement.dateLessThan * 1000) {
    return refuse('SignatureAccessDenied', `expired at ${new Date(statement.dateLessThan * 1000).toISOString()} (DateLessThan)`, name(v, v.policy === undefined ? 'expires' : 'policy'));
  }
  // Whole seconds, as the policy gives them: valid from the second after DateGreaterThan, up to the second before DateLessThan.
  if (statement.dateGreaterThan !== undefined && req.now < (statement.dateGreaterThan + 1) * 1000) {
    return refuse('SignatureAccessDenied', `not valid before ${new Date(statement.dateGreaterThan * 1000).toISOString()} (DateGreaterThan)`, name(v, 'policy'));
  }
  if (statement.ipAddress !== undefined && !inRange(statement.ipAddress, req.clientIp)) {
    return refuse('SignatureAccessDenied', `viewer address ${req.clientIp} is not in ${statement.ipAddress.text} (IpAddress)`, name(v, 'policy'));
  }
  return undefined;
}
