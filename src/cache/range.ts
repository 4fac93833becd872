// Range requests answered from a stored full object (docs/cloudfront-reference.md §6.11, RFC 9110 §14).

import { randomBytes } from 'node:crypto';
import { parseHttpDate } from './ttl.js';

interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

type RangeRequest =
  /** No usable Range: answer 200 with the full object. `reason` for logs. */
  | { kind: 'full'; reason: 'absent' | 'not-bytes' | 'invalid' | 'out-of-order' | 'overlapping' | 'too-many' }
  /** RFC 9110 §15.5.17: 416 with `Content-Range: bytes *\/length`. */
  | { kind: 'unsatisfiable' }
  | { kind: 'ranges'; ranges: ByteRange[] };

/** More ranges than this is a denial-of-service pattern (RFC 9110 §14.2): answered in full. */
const MAX_RANGES = 100;

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses `Range` against an object of `length` bytes (RFC 9110 §14.1.1). CloudFront's extra rules
 * (docs/cloudfront-reference.md §6.11, RangeGETs page): ranges must be ascending and not overlapping and every spec valid,
 * otherwise the full object is returned with 200. Specs starting beyond the end are dropped; when
 * none is left the answer is 416.
 */
export function parseRange(header: string | undefined, length: number): RangeRequest {
  if (header === undefined) return { kind: 'full', reason: 'absent' };
  const eq = header.indexOf('=');
  if (eq === -1) return { kind: 'full', reason: 'invalid' };
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full', reason: 'not-bytes' };
  const specs = header.slice(eq + 1).split(',');
  if (specs.length > MAX_RANGES) return { kind: 'full', reason: 'too-many' };
  const ranges: ByteRange[] = [];
  let sawAny = false;
  for (const raw of specs) {
    const s = raw.trim();
    if (s === '') continue; // RFC 9110 §5.6.1: empty list elements are ignored
    sawAny = true;
    const m = SPEC.exec(s);
    if (!m) return { kind: 'full', reason: 'invalid' };
    const first = m[1] as string;
    const last = m[2] as string;
    if (first === '' && last === '') return { kind: 'full', reason: 'invalid' };
    if (first === '') {
      const suffix = Number(last);
      // A zero suffix is unsatisfiable, not invalid (RFC 9110 §14.1.1).
      if (suffix === 0 || length === 0) continue;
      ranges.push({ start: Math.max(0, length - suffix), end: length - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? length - 1 : Number(last);
    if (last !== '' && end < start) return { kind: 'full', reason: 'invalid' };
    if (start >= length) continue; // unsatisfiable spec
    ranges.push({ start, end: Math.min(end, length - 1) });
  }
  if (!sawAny) return { kind: 'full', reason: 'invalid' };
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1] as ByteRange;
    const cur = ranges[i] as ByteRange;
    if (cur.start <= prev.end) return { kind: 'full', reason: cur.start < prev.start ? 'out-of-order' : 'overlapping' };
  }
  return { kind: 'ranges', ranges };
}

/**
 * RFC 9110 §13.1.5: does `If-Range` let the Range apply? An entity-tag must match the stored ETag
 * strongly; a date must equal a Last-Modified that is a strong validator (at least one second
 * before Date, RFC 9110 §8.8.2.2).
 */
export function ifRangeAllows(
  ifRange: string | undefined,
  v: { etag: string | undefined; lastModified: string | undefined; date: string | undefined },
): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    if (value.startsWith('W/') || v.etag === undefined || v.etag.trim().startsWith('W/')) return false;
    return value === v.etag.trim();
  }
  const d = parseHttpDate(value);
  if (d === undefined || v.lastModified === undefined) return false;
  const lm = parseHttpDate(v.lastModified);
  if (lm === undefined || lm !== d) return false;
  const date = v.date === undefined ? undefined : parseHttpDate(v.date);
  return date !== undefined && date - lm >= 1000;
}

interface RangeAnswer {
  status: 200 | 206 | 416;
  body: Buffer;
  /** Set for a single-range 206 and for 416 (`bytes *\/length`). */
  contentRange?: string;
  /** Set for multipart/byteranges; replaces the stored Content-Type. */
  contentType?: string;
}

/**
 * Answers a Range request from a stored 200 body (the caller checks the entry's status and
 * If-Range). Several ranges become multipart/byteranges (RFC 9110 §14.6) with a random boundary.
 */
export function answerRange(body: Buffer, rangeHeader: string | undefined, contentType: string | undefined): RangeAnswer {
  const r = parseRange(rangeHeader, body.length);
  if (r.kind === 'full') return { status: 200, body };
  if (r.kind === 'unsatisfiable') return { status: 416, body: Buffer.alloc(0), contentRange: `bytes */${body.length}` };
  if (r.ranges.length === 1) {
    const { start, end } = r.ranges[0] as ByteRange;
    return { status: 206, body: body.subarray(start, end + 1), contentRange: `bytes ${start}-${end}/${body.length}` };
  }
  const boundary = randomBytes(12).toString('hex');
  const parts: Buffer[] = [];
  for (const { start, end } of r.ranges) {
    const head =
      `--${boundary}\r\n` +
      (contentType === undefined ? '' : `Content-Type: ${contentType}\r\n`) +
      `Content-Range: bytes ${start}-${end}/${body.length}\r\n\r\n`;
    parts.push(Buffer.from(head, 'latin1'), body.subarray(start, end + 1), Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { status: 206, body: Buffer.concat(parts), contentType: `multipart/byteranges; boundary=${boundary}` };
}
