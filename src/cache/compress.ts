// Edge compression (docs/cloudfront-reference.md §6.10): which responses CloudFront compresses, with which encoding, and
// what compression does to the headers.

import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import type { CachePolicy } from '../config/types.js';
import type { CfHeaders } from '../event/types.js';
import { firstHeader, headerValues, parseCacheControl } from './ttl.js';

/** docs/cloudfront-reference.md §6.10: the content types CloudFront compresses (media type only, lowercase). */
export const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
  'application/dash+xml', 'application/eot', 'application/font', 'application/font-sfnt',
  'application/javascript', 'application/json', 'application/opentype', 'application/otf',
  'application/pkcs7-mime', 'application/protobuf', 'application/rss+xml', 'application/truetype',
  'application/ttf', 'application/vnd.apple.mpegurl', 'application/vnd.mapbox-vector-tile',
  'application/vnd.ms-fontobject', 'application/xhtml+xml', 'application/xml',
  'application/x-font-opentype', 'application/x-font-truetype', 'application/x-font-ttf',
  'application/x-httpd-cgi', 'application/x-javascript', 'application/x-mpegurl',
  'application/x-opentype', 'application/x-otf', 'application/x-perl', 'application/x-ttf',
  'font/eot', 'font/opentype', 'font/otf', 'font/ttf', 'image/svg+xml', 'text/css', 'text/csv',
  'text/html', 'text/javascript', 'text/js', 'text/plain', 'text/richtext',
  'text/tab-separated-values', 'text/xml', 'text/x-component', 'text/x-java-source',
  'text/x-script', 'vnd.apple.mpegurl',
]);

const MIN_COMPRESS_BYTES = 1000;
const MAX_COMPRESS_BYTES = 10_000_000;
const COMPRESSIBLE_STATUSES: ReadonlySet<number> = new Set([200, 403, 404]);

type EdgeEncoding = 'gzip' | 'br';

/**
 * Can a behavior compress at all? Computed once per behavior (docs/cloudfront-reference.md §6.10): Compress on, gzip or br
 * enabled in the cache policy, some TTL above 0, and Accept-Encoding not listed as a key header.
 */
export function behaviorCompresses(compress: boolean, policy: CachePolicy): boolean {
  if (!compress) return false;
  if (!policy.enableAcceptEncodingGzip && !policy.enableAcceptEncodingBrotli) return false;
  if (policy.maxTTL <= 0) return false;
  return !(policy.headers.behavior === 'whitelist' && policy.headers.names.includes('accept-encoding'));
}

export interface CompressInput {
  /** behaviorCompresses(...) for the behavior. */
  behaviorCompresses: boolean;
  policy: CachePolicy;
  /** The normalized Accept-Encoding in the key (`br,gzip` | `gzip` | `br` | undefined). */
  acceptEncoding: string | undefined;
  /** '1.0' viewers get no compression (docs/cloudfront-reference.md §6.10). */
  viewerHttpVersion: string;
  status: number;
  /** Response headers (after origin-response). */
  headers: CfHeaders;
}

function mediaType(h: CfHeaders): string | undefined {
  const ct = firstHeader(h, 'content-type');
  if (ct === undefined) return undefined;
  const semi = ct.indexOf(';');
  return (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

/**
 * The encoding to apply, or undefined to leave the body as it is (docs/cloudfront-reference.md §6.10): viewer accepts it
 * (br preferred), no Content-Encoding, Content-Length 1,000–10,000,000, status 200/403/404,
 * listed Content-Type. Also honours `Cache-Control: no-transform` (RFC 9110 §7.7; CloudFront silent).
 */
export function shouldCompress(i: CompressInput): EdgeEncoding | undefined {
  if (!i.behaviorCompresses || i.acceptEncoding === undefined || i.viewerHttpVersion === '1.0') return undefined;
  if (!COMPRESSIBLE_STATUSES.has(i.status)) return undefined;
  if (i.headers['content-encoding'] !== undefined) return undefined;
  const cl = firstHeader(i.headers, 'content-length');
  if (cl === undefined || !/^\d+$/.test(cl.trim())) return undefined;
  const len = Number(cl);
  if (len < MIN_COMPRESS_BYTES || len > MAX_COMPRESS_BYTES) return undefined;
  const type = mediaType(i.headers);
  if (type === undefined || !COMPRESSIBLE_TYPES.has(type)) return undefined;
  if (parseCacheControl(headerValues(i.headers, 'cache-control')).has('no-transform')) return undefined;
  const tokens = i.acceptEncoding.split(',');
  if (i.policy.enableAcceptEncodingBrotli && tokens.includes('br')) return 'br';
  if (i.policy.enableAcceptEncodingGzip && tokens.includes('gzip')) return 'gzip';
  return undefined;
}

/**
 * Compresses synchronously. Levels trade ratio for CPU on a miss: gzip 6 (zlib's default), brotli
 * quality 5 (11 is several times slower for a few percent).
 */
export function compress(buf: Buffer, encoding: EdgeEncoding): Buffer {
  if (encoding === 'gzip') return gzipSync(buf, { level: 6 });
  return brotliCompressSync(buf, {
    params: {
      [zc.BROTLI_PARAM_QUALITY]: 5,
      [zc.BROTLI_PARAM_SIZE_HINT]: buf.length,
      [zc.BROTLI_PARAM_MODE]: zc.BROTLI_MODE_TEXT,
    },
  });
}

const ETAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/** docs/cloudfront-reference.md §6.10: strong `"x"` → `W/"x"`, weak kept, anything invalid → undefined (removed). */
export function weakenEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  const t = etag.trim();
  if (!ETAG.test(t)) return undefined;
  return t.startsWith('W/') ? t : `W/${t}`;
}

/**
 * Headers of the compressed copy: Content-Encoding set, Content-Length the new size, ETag weakened,
 * and `Accept-Encoding` added to Vary (RFC 9110 §12.5.5: the body now depends on it).
 */
export function compressedHeaders(headers: CfHeaders, encoding: EdgeEncoding, length: number): CfHeaders {
  const out: CfHeaders = { ...headers };
  out['content-encoding'] = [{ key: 'Content-Encoding', value: encoding }];
  out['content-length'] = [{ key: 'Content-Length', value: String(length) }];
  const etag = weakenEtag(firstHeader(headers, 'etag'));
  if (etag === undefined) delete out['etag'];
  else out['etag'] = [{ key: headers['etag']?.[0]?.key ?? 'ETag', value: etag }];
  const vary = headerValues(headers, 'vary');
  const hasAe = vary.some((line) => line.split(',').some((m) => m.trim().toLowerCase() === 'accept-encoding'));
  if (!hasAe) {
    out['vary'] = vary.length === 0 ? [{ key: 'Vary', value: 'Accept-Encoding' }] : [...(headers['vary'] ?? []), { key: 'Vary', value: 'Accept-Encoding' }];
  }
  return out;
}

/** Compresses a response when shouldCompress says so: the body and headers to store and serve. */
export function compressResponse(
  body: Buffer,
  headers: CfHeaders,
  encoding: EdgeEncoding,
): { body: Buffer; headers: CfHeaders; encoding: EdgeEncoding } {
  const out = compress(body, encoding);
  return { body: out, headers: compressedHeaders(headers, encoding, out.length), encoding };
}
