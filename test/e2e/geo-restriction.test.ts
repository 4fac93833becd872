// Geographic restriction end to end (docs/cloudfront-reference.md §17): the viewer's country from the
// configured CloudFront-Viewer-Country or the per-request override; allow list and block list; 403 with
// CloudFront's page before any function or origin; a custom error response for 403 replaces the page.

import { afterEach, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/distribution-fns.mjs';
const PAGE_LINE = 'The Amazon CloudFront distribution is configured to block access from your country.';

describe('geo restriction', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  async function setup(geoRestriction: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ p: TestProxy; o: TestOrigin }> {
    const o = await startOrigin();
    open.push(o);
    const p = await startProxy({
      origins: [{ id: 'o', url: o.url }],
      restrictions: { geoRestriction },
      functions: [{ id: 'mark', file: FNS, export: 'markViewerResponse' }, { id: 'gen', file: FNS, export: 'generate404' }],
      inspector: { headers: true },
      ...extra,
    });
    open.push(p);
    return { p, o };
  }
  const from = (country: string): Record<string, string> => ({ 'x-edgeproxy-cloudfront-viewer-country': country });

  it('a block list refuses the listed countries with 403 and CloudFront’s page, and serves the others', async () => {
    const { p, o } = await setup({ restrictionType: 'blacklist', locations: ['KP', 'IR'] });
    const blocked = await send(p.url, '/a', { headers: from('KP') });
    expect(blocked.status).toBe(403);
    expect(blocked.headers['x-cache']).toBe('Error from cloudfront');
    expect(blocked.headers.server).toBe('CloudFront');
    expect(blocked.text).toContain('<H1>403 ERROR</H1>');
    expect(blocked.text).toContain(PAGE_LINE);
    expect(blocked.headers['x-edgeproxy-error']).toContain('ClientGeoBlocked');
    expect(o.hits).toBe(0);
    const fine = await send(p.url, '/b', { headers: from('DE') });
    expect(fine.status).toBe(200);
    // No country known: a block list lets the viewer in.
    const unknown = await send(p.url, '/c');
    expect(unknown.status).toBe(200);
    expect(o.hits).toBe(2);
  });

  it('an allow list serves only the listed countries; an unknown country is refused', async () => {
    const { p, o } = await setup({ restrictionType: 'whitelist', locations: ['DE', 'FR'] });
    expect((await send(p.url, '/x', { headers: from('FR') })).status).toBe(200);
    const us = await send(p.url, '/x', { headers: from('US') });
    expect(us.status).toBe(403);
    expect(us.text).toContain(PAGE_LINE);
    const unknown = await send(p.url, '/x');
    expect(unknown.status).toBe(403);
    expect(o.hits).toBe(1);
  });

  it('reads the configured viewerHeaders country, which a request override replaces', async () => {
    const { p } = await setup({ restrictionType: 'whitelist', locations: ['DE'] }, { viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' } });
    expect((await send(p.url, '/c')).status).toBe(200);
    // A blocked viewer gets the 403 even for an object in the cache.
    const overridden = await send(p.url, '/c', { headers: from('BR') });
    expect(overridden.status).toBe(403);
  });

  it('is checked before any function: neither a viewer-request function nor viewer-response runs for a blocked viewer', async () => {
    const { p, o } = await setup(
      { restrictionType: 'blacklist', locations: ['RU'] },
      { behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'gen', 'viewer-response': 'mark' } }] },
    );
    const blocked = await send(p.url, '/f', { headers: from('RU') });
    expect(blocked.status).toBe(403);
    expect(blocked.headers['x-edgeproxy-executed-version']).toBeUndefined();
    expect(blocked.text).toContain(PAGE_LINE);
    const allowed = await send(p.url, '/f', { headers: from('PL') });
    expect(allowed.status).toBe(404);
    expect(allowed.text).toBe('generated 404');
    expect(o.hits).toBe(0);
  });

  it('a custom error response for 403 replaces CloudFront’s page', async () => {
    const o = await startOrigin((req, res) => {
      const body = req.url === '/blocked.html' ? 'not in your country' : 'content';
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    open.push(o);
    const p = await startProxy({
      origins: [{ id: 'o', url: o.url }],
      restrictions: { geoRestriction: { restrictionType: 'blacklist', locations: ['CN'] } },
      customErrorResponses: [{ errorCode: 403, responsePagePath: '/blocked.html' }],
    });
    open.push(p);
    const r = await send(p.url, '/film', { headers: from('CN') });
    expect(r.status).toBe(403);
    expect(r.text).toBe('not in your country');
    expect(o.requests.map((q) => q.url)).toEqual(['/blocked.html']);
  });
});
