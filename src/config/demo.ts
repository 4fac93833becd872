// The embedded demo distribution `edgeproxy` runs with no arguments: the demo origin behind one
// default behavior with one example function on each of the four triggers (functions/README.md),
// an uncached `/api/*` behavior for the origin's dynamic endpoints, `/go/*` short links answered
// by a CloudFront Function with a key value store, and the `/app/*` single-page app done the way
// CloudFront users do it without code: the origin answers a client-side route with 403 (an S3 bucket
// read without list permission), a custom error response answers that with the app shell and 200
// (docs/cloudfront-reference.md §12), and a response headers policy adds the security headers — to
// that page too, where viewer-response does not run (§13).

import path from 'node:path';
import type { ConfigInput } from './schema.js';

/** Example function files under `<projectRoot>/functions/`, one per trigger. */
export const DEMO_FUNCTIONS = Object.freeze({
  'viewer-request': 'redirect.js',
  'origin-request': 'directory-index.js',
  'origin-response': 'cache-control.js',
  'viewer-response': 'security-headers.js',
} as const);

/** The example CloudFront Function (cloudfront-js-2.0, viewer-request) and its key value store. */
const DEMO_CFF_FUNCTION = 'short-links.js';

/** The single-page app's prefix: the demo origin answers a missing object under it with 403, like S3 without s3:ListBucket. */
export const DEMO_APP_PREFIX = '/app/';
const DEMO_KVS_FILE = 'short-links.json';

/**
 * The security headers of functions/security-headers.js as a response headers policy for `/app/*`
 * (docs/cloudfront-reference.md §13): the same values, with the origin's own kept where it sets one.
 */
const APP_SECURITY_HEADERS = {
  name: 'demo-app-security-headers',
  securityHeadersConfig: {
    strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: false },
    contentSecurityPolicy: {
      contentSecurityPolicy: "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'",
      override: false,
    },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: 'DENY', override: false },
    xssProtection: { protection: true, modeBlock: true, override: false },
    referrerPolicy: { referrerPolicy: 'same-origin', override: false },
  },
} as const;

export function demoConfigInput(originUrl: string, projectRoot: string): ConfigInput {
  const fn = (id: string, file: string) => ({ id, file: path.join(projectRoot, 'functions', file) });
  return {
    origins: [{ id: 'demo-origin', url: originUrl }],
    functions: [
      fn('redirect', DEMO_FUNCTIONS['viewer-request']),
      fn('directory-index', DEMO_FUNCTIONS['origin-request']),
      fn('cache-control', DEMO_FUNCTIONS['origin-response']),
      fn('security-headers', DEMO_FUNCTIONS['viewer-response']),
      { ...fn('short-links', DEMO_CFF_FUNCTION), runtime: 'cloudfront-js-2.0', keyValueStore: 'short-links' },
    ],
    keyValueStores: [{ name: 'short-links', file: path.join(projectRoot, 'functions', DEMO_KVS_FILE) }],
    behaviors: [
      {
        // Dynamic JSON (/api/time, /api/echo): never cached, and no directory-index rewrite, which
        // would turn the extensionless /api/time into /api/time/index.html.
        pathPattern: '/api/*',
        origin: 'demo-origin',
        functions: { 'viewer-response': 'security-headers' },
        cachePolicy: 'CachingDisabled',
        originRequestPolicy: 'AllViewerExceptHostHeader',
      },
      {
        // /go/<name>: a CloudFront Function looks the name up in its key value store and redirects.
        pathPattern: '/go/*',
        origin: 'demo-origin',
        functions: { 'viewer-request': 'short-links' },
        cachePolicy: 'CachingDisabled',
      },
      {
        // /app/<route>: no origin-request rewrite, so the origin answers 403 for a route that is no
        // file; the custom error response below turns that into /app/index.html with 200.
        pathPattern: '/app/*',
        origin: 'demo-origin',
        functions: { 'origin-response': 'cache-control' },
        cachePolicy: 'CachingOptimized',
        originRequestPolicy: 'AllViewerExceptHostHeader',
        responseHeadersPolicy: APP_SECURITY_HEADERS,
      },
      {
        pathPattern: '*',
        origin: 'demo-origin',
        functions: {
          'viewer-request': 'redirect',
          'origin-request': 'directory-index',
          'origin-response': 'cache-control',
          'viewer-response': 'security-headers',
        },
        // CachingOptimized keys on the path only, so the demo shows Miss → Hit on a second request.
        cachePolicy: 'CachingOptimized',
        originRequestPolicy: 'AllViewerExceptHostHeader',
      },
    ],
    // The single-page app's fallback, the classic CloudFront recipe: 403 → /app/index.html with 200.
    // Custom error responses are per distribution; only /app/ answers 403 here, so the rest of the
    // site keeps its 404 page.
    customErrorResponses: [{ errorCode: 403, responsePagePath: '/app/index.html', responseCode: 200, errorCachingMinTTL: 10 }],
    viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' },
  };
}
