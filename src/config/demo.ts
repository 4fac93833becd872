// The embedded demo distribution `edgeproxy` runs with no arguments: the demo origin behind one
// default behavior with one example function on each of the four triggers (functions/README.md),
// plus an uncached `/api/*` behavior for the origin's dynamic endpoints.

import path from 'node:path';
import type { ConfigInput } from './schema.js';

/** Example function files under `<projectRoot>/functions/`, one per trigger. */
export const DEMO_FUNCTIONS = Object.freeze({
  'viewer-request': 'redirect.js',
  'origin-request': 'directory-index.js',
  'origin-response': 'cache-control.js',
  'viewer-response': 'security-headers.js',
} as const);

export function demoConfigInput(originUrl: string, projectRoot: string): ConfigInput {
  const fn = (id: string, file: string) => ({ id, file: path.join(projectRoot, 'functions', file) });
  return {
    origins: [{ id: 'demo-origin', url: originUrl }],
    functions: [
      fn('redirect', DEMO_FUNCTIONS['viewer-request']),
      fn('directory-index', DEMO_FUNCTIONS['origin-request']),
      fn('cache-control', DEMO_FUNCTIONS['origin-response']),
      fn('security-headers', DEMO_FUNCTIONS['viewer-response']),
    ],
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
