// The demo distribution (`npm start` with no arguments) through the real proxy and the real demo
// origin: its /app/* single-page app answered by a custom error response (the origin's 403 for a
// client-side route → /app/index.html with 200, docs/cloudfront-reference.md §12) with the security
// headers of a response headers policy (§13), while the rest of the site keeps its 404 page.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APP_PREFIX, demoConfigInput } from '../../src/config/demo.js';
import { loadConfig } from '../../src/config/load.js';
import { startDemoOrigin, type DemoOrigin } from '../../src/demo/origin.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';
import { send } from '../helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CSP = "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'";

describe('the demo distribution', () => {
  let origin: DemoOrigin;
  let proxy: EdgeProxy;
  beforeAll(async () => {
    origin = await startDemoOrigin({ host: '127.0.0.1', port: 0, listDeniedPrefixes: [DEMO_APP_PREFIX] });
    const config = await loadConfig({ object: { ...demoConfigInput(origin.url, ROOT), listen: { host: '127.0.0.1', port: 0 } }, baseDir: ROOT });
    proxy = await startEdgeProxy({ config, log: memoryLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('a client-side route of the app: the origin’s 403 becomes the app shell with 200, with the policy’s security headers', async () => {
    for (const route of ['/app/settings', '/app/', '/app/anything/at/all']) {
      const r = await send(proxy.url, route);
      expect(r.status, route).toBe(200);
      expect(r.text).toContain('A tiny single-page app');
      expect(r.headers['content-security-policy']).toBe(CSP);
      expect(r.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-cache']).toBe('Error from cloudfront');
    }
  });

  it('the app’s own files are served as they are, with the same headers', async () => {
    const r = await send(proxy.url, '/app/index.html');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(r.headers['cache-control']).toBe('max-age=60');
  });

  it('the rest of the site keeps its 404 page, and its security headers come from the viewer-response function', async () => {
    const missing = await send(proxy.url, '/no-such-page');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('404');
    expect(missing.headers['content-security-policy']).toBeUndefined();
    const home = await send(proxy.url, '/');
    expect(home.status).toBe(200);
    expect(home.headers['content-security-policy']).toBe(CSP);
  });
});
