// The embedded demo distribution `edgeproxy` runs with no arguments: the demo origin behind one
// default behavior with one example function on each of the four triggers (functions/README.md),
// an uncached `/api/*` behavior for the origin's dynamic endpoints, and `/go/*` short links answered
// by a CloudFront Function with a key value store.

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
export const DEMO_CFF_FUNCTION = 'short-links.js';
export const DEMO_KVS_FILE = 'short-links.json';

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
    viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' },
  };
}
