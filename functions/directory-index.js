/*
 * Trigger: origin-request.
 *
 * Maps "pretty" URLs to the objects an S3-style origin really stores, by rewriting request.uri:
 *   /blog/                         -> /blog/index.html          (directory index)
 *   /about                         -> /about/index.html         (extensionless path)
 *   /app, /app/settings, /app/a/b  -> /app/index.html           (single-page-app fallback)
 * Paths with a file extension (/assets/style.css, /app/missing.png) and the dynamic /api/ routes
 * are left alone.
 * Running at origin-request means only cache misses pay for it, and the cache key keeps the URI
 * the viewer asked for. The function changes nothing but the URI: origin-request read-only
 * headers (Accept-Encoding, Content-Length, If-None-Match, Via, ...) must stay exactly as received.
 *
 * Deploy as-is: Node.js 20 or 22 runtime in us-east-1, handler `index.handler` (save this file as
 * index.js; it is CommonJS), publish a version and associate it with a cache behavior's
 * origin-request event.
 */
'use strict';

const SPA_PREFIX = '/app';
// Dynamic routes are not files. The demo distribution also gives /api/* a cache behavior of its
// own without this function; the guard keeps the function safe wherever it is attached.
const UNTOUCHED_PREFIXES = ['/api/'];

function hasExtension(uri) {
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  return last.includes('.');
}

function rewrite(uri) {
  if (UNTOUCHED_PREFIXES.some((prefix) => uri.startsWith(prefix))) return uri;
  if ((uri === SPA_PREFIX || uri.startsWith(`${SPA_PREFIX}/`)) && !hasExtension(uri)) {
    return `${SPA_PREFIX}/index.html`;
  }
  if (uri.endsWith('/')) return `${uri}index.html`;
  if (!hasExtension(uri)) return `${uri}/index.html`;
  return uri;
}

exports.handler = (event, context, callback) => {
  const request = event.Records[0].cf.request;
  request.uri = rewrite(request.uri);
  callback(null, request);
};
