/*
 * Trigger: viewer-response.
 *
 * Adds the HTTP security headers of AWS's "add security headers" example to every response
 * delivered to a viewer, cache hits included (viewer-response changes are never cached):
 *   Strict-Transport-Security, Content-Security-Policy, X-Content-Type-Options, X-Frame-Options,
 *   X-XSS-Protection, Referrer-Policy
 * It only adds headers. Viewer-response read-only headers (Content-Length, Content-Encoding,
 * Transfer-Encoding, Via, Warning) must stay exactly as received, and the status cannot change.
 * CloudFront does not run viewer-response for statuses of 400 and above, so error pages go out
 * without these headers.
 *
 * Deploy as-is: Node.js 20 or 22 runtime in us-east-1, handler `index.handler` (save this file as
 * index.js; it is CommonJS), publish a version and associate it with a cache behavior's
 * viewer-response event.
 */
'use strict';

// The CSP is AWS's example plus connect-src 'self', which the demo app's fetch() calls need.
// X-XSS-Protection is kept because AWS's example sets it; current browsers ignore it.
// Browsers ignore Strict-Transport-Security on plain-HTTP responses, so it is harmless locally.
const SECURITY_HEADERS = [
  ['Strict-Transport-Security', 'max-age=63072000; includeSubdomains; preload'],
  [
    'Content-Security-Policy',
    "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'",
  ],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['X-XSS-Protection', '1; mode=block'],
  ['Referrer-Policy', 'same-origin'],
];

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  for (const [key, value] of SECURITY_HEADERS) {
    response.headers[key.toLowerCase()] = [{ key, value }];
  }
  return response;
};
