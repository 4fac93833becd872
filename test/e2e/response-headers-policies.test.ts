// Response headers policies end to end (docs/cloudfront-reference.md §13): managed policies by name and
// ID, CORS (simple vs preflight, allowed vs not, origin override on/off), security headers with their
// override flags, custom headers, removed headers, Server-Timing (sampling, Pragma, hit vs miss), and
// the policy applied after viewer-response.

import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/distribution-fns.mjs';

function origin(): Promise<TestOrigin> {
  return startOrigin((req, res) => {
    const h: Record<string, string> = { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'content-length': '2' };
    if (req.url?.startsWith('/own')) {
      h['access-control-allow-origin'] = 'https://origin-chose.example';
      h['x-frame-options'] = 'DENY';
      h['x-content-type-options'] = 'origin-value';
      h['x-team'] = 'origin';
      h['x-powered-by'] = 'Express';
      h['server-timing'] = 'db;dur=53';
    }
    res.writeHead(200, h);
    res.end('ok');
  });
}

describe('response headers policies', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  async function setup(behavior: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ o: TestOrigin; p: TestProxy }> {
    const o = await origin();
    open.push(o);
    const p = await startProxy({ origins: [{ id: 'o', url: o.url }], behaviors: [{ pathPattern: '*', ...behavior }], ...extra });
    open.push(p);
    return { o, p };
  }

  it('SecurityHeadersPolicy by name: its headers; X-Content-Type-Options overrides the origin, the others keep the origin value', async () => {
    const { p } = await setup({ responseHeadersPolicy: 'SecurityHeadersPolicy' });
    const a = await send(p.url, '/plain');
    expect(a.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(a.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(a.headers['x-xss-protection']).toBe('1; mode=block');
    const b = await send(p.url, '/own');
    expect(b.headers['x-frame-options']).toBe('DENY');
    expect(b.headers['x-content-type-options']).toBe('nosniff');
    // The same from the cache.
    const c = await send(p.url, '/own');
    expect(c.headers['x-cache']).toBe('Hit from cloudfront');
    expect(c.headers['x-content-type-options']).toBe('nosniff');
    expect(c.headers['x-frame-options']).toBe('DENY');
  });

  it('managed policies by ID: SimpleCORS adds Access-Control-Allow-Origin: * to CORS requests only, keeping the origin’s', async () => {
    const { p } = await setup({ responseHeadersPolicy: '60669652-455b-4ae9-85a4-c4c02393f86c' });
    expect((await send(p.url, '/plain', { headers: { origin: 'https://a.example' } })).headers['access-control-allow-origin']).toBe('*');
    expect((await send(p.url, '/plain')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await send(p.url, '/own', { headers: { origin: 'https://a.example' } })).headers['access-control-allow-origin']).toBe('https://origin-chose.example');
  });

  it('custom CORS: allowed vs other origins, simple vs preflight, origin override on', async () => {
    const cors = {
      accessControlAllowOrigins: ['https://app.example', 'https://*.example.org'],
      accessControlAllowHeaders: ['Authorization', 'Content-Type'],
      accessControlAllowMethods: ['GET', 'POST', 'OPTIONS'],
      accessControlAllowCredentials: true,
      accessControlExposeHeaders: ['X-Request-Id'],
      accessControlMaxAgeSec: 600,
      originOverride: true,
    };
    const { p, o } = await setup({ responseHeadersPolicy: { corsConfig: cors }, allowedMethods: ['GET', 'HEAD', 'OPTIONS'], cachedMethods: ['GET', 'HEAD'] });
    const simple = await send(p.url, '/own', { headers: { origin: 'https://app.example' } });
    expect(simple.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(simple.headers['access-control-allow-credentials']).toBe('true');
    expect(simple.headers['access-control-expose-headers']).toBe('X-Request-Id');
    expect(simple.headers['access-control-allow-methods']).toBeUndefined();
    const sub = await send(p.url, '/plain', { headers: { origin: 'https://shop.example.org' } });
    expect(sub.headers['access-control-allow-origin']).toBe('https://shop.example.org');
    const other = await send(p.url, '/plain2', { headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await send(p.url, '/api', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(pre.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
    expect(pre.headers['access-control-max-age']).toBe('600');
    expect(pre.headers['access-control-expose-headers']).toBeUndefined();
    // The preflight went to the origin (docs/decisions.md: CloudFront adds the headers to the origin's answer).
    expect(o.requests.some((r) => r.method === 'OPTIONS')).toBe(true);
  });

  it('custom headers with override on and off; removed headers go first, then the policy adds', async () => {
    const { p } = await setup({
      responseHeadersPolicy: {
        customHeadersConfig: [
          { header: 'X-Team', value: 'edge', override: false },
          { header: 'X-Frame-Options', value: 'SAMEORIGIN', override: true },
          { header: 'X-Policy', value: 'on', override: false },
        ],
        securityHeadersConfig: {
          strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: false },
          contentSecurityPolicy: { contentSecurityPolicy: "default-src 'self'", override: false },
          xssProtection: { protection: true, reportUri: 'https://r.example/x', override: false },
        },
        removeHeadersConfig: ['X-Powered-By', 'X-Team'],
      },
    });
    const a = await send(p.url, '/own');
    expect(a.headers['x-powered-by']).toBeUndefined();
    // Removed first, then added by the policy: override off has nothing left to keep.
    expect(a.headers['x-team']).toBe('edge');
    expect(a.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(a.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(a.headers['content-security-policy']).toBe("default-src 'self'");
    expect(a.headers['x-xss-protection']).toBe('1; report=https://r.example/x');
  });

  it('Server-Timing: sampling 0 adds it only for Pragma: server-timing; a miss keeps the origin value, a hit does not', async () => {
    const { p } = await setup({ responseHeadersPolicy: { serverTimingHeadersConfig: { enabled: true, samplingRate: 0 } } });
    // Not sampled: the origin's own Server-Timing passes through untouched.
    expect((await send(p.url, '/own')).headers['server-timing']).toBe('db;dur=53');
    const miss = await send(p.url, '/own2', { headers: { pragma: 'server-timing' } });
    const v = String(miss.headers['server-timing']);
    expect(v).toContain('cdn-cache-miss');
    expect(v).toContain('cdn-pop;desc="IAD79-C3"');
    expect(v).toContain(`cdn-rid;desc="${String(miss.headers['x-amz-cf-id'])}"`);
    expect(v).toContain('db;dur=53');
    const hit = await send(p.url, '/own2', { headers: { pragma: 'server-timing' } });
    const hv = String(hit.headers['server-timing']);
    expect(hv).toMatch(/^cdn-cache-hit,cdn-pop;desc="IAD79-C3",cdn-rid;desc="[^"]+",cdn-hit-layer;desc="EDGE"$/);
    expect(hv).not.toContain('db;dur');
  });

  it('Server-Timing at sampling rate 100 on every response', async () => {
    const { p } = await setup({ responseHeadersPolicy: { serverTimingHeadersConfig: { enabled: true, samplingRate: 100 } } });
    expect(String((await send(p.url, '/x')).headers['server-timing'])).toContain('cdn-cache-miss');
  });

  it('the policy applies after viewer-response: the function does not see its headers and they reach the viewer', async () => {
    const { p } = await setup(
      { functions: { 'viewer-response': 'sees' }, responseHeadersPolicy: { customHeadersConfig: [{ header: 'X-Policy', value: 'on', override: true }] } },
      { functions: [{ id: 'sees', file: FNS, export: 'seesPolicy' }] },
    );
    const a = await send(p.url, '/x');
    expect(a.headers['x-saw-policy']).toBe('false');
    expect(a.headers['x-policy']).toBe('on');
  });

  it('config errors name the field', async () => {
    const base = { origins: [{ id: 'o', url: 'http://127.0.0.1:1234' }] };
    const load = (rhp: unknown) => loadConfig({ object: { ...base, behaviors: [{ pathPattern: '*', responseHeadersPolicy: rhp }] } });
    await expect(load('NoSuchPolicy')).rejects.toThrow('behaviors[0].responseHeadersPolicy: unknown managed response headers policy "NoSuchPolicy"');
    await expect(load({ removeHeadersConfig: ['Content-Length'] })).rejects.toThrow('behaviors[0].responseHeadersPolicy.removeHeadersConfig[0]: CloudFront cannot remove "Content-Length"');
    await expect(
      load({ corsConfig: { accessControlAllowOrigins: ['https://a.*.org'], accessControlAllowMethods: ['FETCH'], accessControlAllowCredentials: false, originOverride: false } }),
    ).rejects.toThrow(/accessControlAllowOrigins\[0\]: "\*" may only be the leftmost label[\s\S]*accessControlAllowMethods\[0\]: must be one of GET/);
    await expect(load({ securityHeadersConfig: { xssProtection: { protection: true, modeBlock: true, reportUri: 'https://r', override: false } } })).rejects.toThrow(
      'securityHeadersConfig.xssProtection: modeBlock and reportUri cannot be set together',
    );
    await expect(load({ serverTimingHeadersConfig: { enabled: true, samplingRate: 101 } })).rejects.toThrow('samplingRate: must be a percentage 0-100');
  });
});
