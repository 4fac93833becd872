import { describe, expect, it } from 'vitest';
import { buildCffEvent, parseCookies, parseQuerystring, parseSetCookies, toCffRequest, toCffResponse } from '../../src/cff/event.js';
import type { CfHeaders } from '../../src/event/types.js';

const h = (pairs: Array<[string, string]>): CfHeaders => {
  const out: CfHeaders = {};
  for (const [k, v] of pairs) {
    const list = out[k.toLowerCase()] ?? [];
    list.push({ key: k, value: v });
    out[k.toLowerCase()] = list;
  }
  return out;
};

describe('CloudFront Functions event shape', () => {
  it('query string: one key per name (case kept), repeats in multiValue, values left percent-encoded', () => {
    expect(parseQuerystring('lang=en&tag=a&tag=b%2Cc&debug&Q=%E5%AE%B6&&')).toEqual({
      lang: { value: 'en' },
      tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%2Cc' }] },
      debug: { value: '' },
      Q: { value: '%E5%AE%B6' },
    });
    expect(parseQuerystring('')).toEqual({});
    // a parameter named like an Object.prototype member is an own key
    expect(Object.hasOwn(parseQuerystring('__proto__=1'), '__proto__')).toBe(true);
  });

  it('cookies from every Cookie line, repeats in multiValue; no cookie header among the headers', () => {
    const req = toCffRequest({
      clientIp: '203.0.113.45',
      method: 'GET',
      uri: '/docs',
      querystring: 'a=1',
      headers: h([['Host', 'www.example.com'], ['Cookie', 'session=abc123; pref=dark'], ['cookie', 'pref=compact'], ['Accept', 'text/html'], ['Accept', '*/*'], ['X-List', 'a, b']]),
    });
    expect(req).toEqual({
      method: 'GET',
      uri: '/docs',
      querystring: { a: { value: '1' } },
      headers: {
        host: { value: 'www.example.com' },
        accept: { value: 'text/html', multiValue: [{ value: 'text/html' }, { value: '*/*' }] },
        // one line with commas is one value
        'x-list': { value: 'a, b' },
      },
      cookies: { session: { value: 'abc123' }, pref: { value: 'dark', multiValue: [{ value: 'dark' }, { value: 'compact' }] } },
    });
    expect(parseCookies([''])).toEqual({});
  });

  it('response: integer statusCode, Set-Cookie as cookies with attributes, no set-cookie header', () => {
    const res = toCffResponse({
      status: '200',
      statusDescription: 'OK',
      headers: h([['Content-Type', 'text/html'], ['Set-Cookie', 'visited=1; Path=/; Max-Age=3600'], ['Set-Cookie', 'ab=A; Path=/'], ['Set-Cookie', 'ab=B; Path=/beta'], ['Set-Cookie', 'plain=x']]),
    });
    expect(res).toEqual({
      statusCode: 200,
      statusDescription: 'OK',
      headers: { 'content-type': { value: 'text/html' } },
      cookies: {
        visited: { value: '1', attributes: 'Path=/; Max-Age=3600' },
        ab: { value: 'A', attributes: 'Path=/', multiValue: [{ value: 'A', attributes: 'Path=/' }, { value: 'B', attributes: 'Path=/beta' }] },
        plain: { value: 'x' },
      },
    });
    expect(parseSetCookies(['=nameless; Path=/'])).toEqual({});
  });

  it('the envelope: version 1.0, context with the request id, viewer.ip, response only at viewer-response', () => {
    const ctx = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request' as const, requestId: 'rid' };
    const request = toCffRequest({ clientIp: '::1', method: 'GET', uri: '/', querystring: '', headers: {} });
    expect(buildCffEvent(ctx, '::1', request)).toEqual({ version: '1.0', context: ctx, viewer: { ip: '::1' }, request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } });
    expect('response' in buildCffEvent(ctx, '::1', request)).toBe(false);
  });
});
