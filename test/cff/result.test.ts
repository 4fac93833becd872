import { describe, expect, it } from 'vitest';
import { toCffRequest, toCffResponse } from '../../src/cff/event.js';
import { applyRequestResult, applyResponseResult, CffValidationError } from '../../src/cff/result.js';
import type { CffRequest } from '../../src/cff/types.js';
import type { CfHeaders, CfRequest } from '../../src/event/types.js';

const h = (pairs: Array<[string, string]>): CfHeaders => {
  const out: CfHeaders = {};
  for (const [k, v] of pairs) {
    const list = out[k.toLowerCase()] ?? [];
    list.push({ key: k, value: v });
    out[k.toLowerCase()] = list;
  }
  return out;
};

function base(): CfRequest {
  return {
    clientIp: '203.0.113.45',
    method: 'GET',
    uri: '/docs',
    querystring: 'tag=a&tag=b&x=%20',
    headers: h([['Host', 'www.example.com'], ['Accept', 'text/html'], ['Accept', '*/*'], ['Cookie', 'a=1; b=2'], ['user-agent', 'curl/8']]),
  };
}

/** What the function got, deep-copied as the worker would. */
function sent(b: CfRequest): CffRequest {
  return JSON.parse(JSON.stringify(toCffRequest(b))) as CffRequest;
}

function fails(f: () => unknown): CffValidationError {
  try {
    f();
  } catch (e) {
    if (e instanceof CffValidationError) return e;
    throw e;
  }
  throw new Error('no validation error');
}

describe('viewer-request result write-back', () => {
  it('an unchanged request comes back exactly, header spellings and cookie lines included', () => {
    const b = base();
    const s = sent(b);
    const r = applyRequestResult(b, s, sent(b));
    expect(r).toEqual({ kind: 'request', request: b, warnings: [] });
  });

  it('multiValue rules: a changed multiValue wins; else a changed value replaces only the first occurrence', () => {
    const b = base();
    const s = sent(b);
    const out = sent(b);
    out.headers['accept'] = { value: 'ignored', multiValue: [{ value: 'application/json' }] };
    out.querystring['tag'] = { value: 'z', multiValue: [{ value: 'a' }, { value: 'b' }] };
    const r = applyRequestResult(b, s, out);
    if (r.kind !== 'request') throw new Error('expected a request');
    expect(r.request.headers['accept']).toEqual([{ key: 'Accept', value: 'application/json' }]);
    // multiValue unchanged → the value change applies to the first only
    expect(r.request.querystring).toBe('tag=z&tag=b&x=%20');
  });

  it('new headers are spelled capitalised; unknown properties such as "multivalue" are ignored', () => {
    const b = base();
    const out = sent(b) as unknown as { headers: Record<string, unknown> };
    out.headers['x-example-header-name'] = { value: 'v', multivalue: [{ value: 'dropped' }] };
    const r = applyRequestResult(b, sent(b), out);
    if (r.kind !== 'request') throw new Error('expected a request');
    expect(r.request.headers['x-example-header-name']).toEqual([{ key: 'X-Example-Header-Name', value: 'v' }]);
  });

  it('cookies are written back into one Cookie line; deleting a key removes it', () => {
    const b = base();
    const out = sent(b);
    delete out.cookies['a'];
    out.cookies['c'] = { value: '3' };
    const r = applyRequestResult(b, sent(b), out);
    if (r.kind !== 'request') throw new Error('expected a request');
    expect(r.request.headers['cookie']).toEqual([{ key: 'Cookie', value: 'b=2; c=3' }]);
  });

  it('query parameters: deleting, adding, and a whole query string given as a string', () => {
    const b = base();
    const out = sent(b);
    delete out.querystring['tag'];
    out.querystring['lang'] = { value: 'en' };
    out.querystring['flag'] = { value: '' };
    const r = applyRequestResult(b, sent(b), out);
    expect(r.kind === 'request' && r.request.querystring).toBe('x=%20&lang=en&flag');
    const asString = { ...sent(b), querystring: 'a=1&b=2' };
    const r2 = applyRequestResult(b, sent(b), asString);
    expect(r2.kind === 'request' && r2.request.querystring).toBe('a=1&b=2');
  });

  it('refuses a changed method, a uri without "/", disallowed and read-only headers, and cookie among headers', () => {
    const b = base();
    const s = sent(b);
    expect(fails(() => applyRequestResult(b, s, { ...sent(b), method: 'POST' })).field).toBe('method');
    expect(fails(() => applyRequestResult(b, s, { ...sent(b), uri: 'docs' })).field).toBe('uri');
    expect(fails(() => applyRequestResult(b, s, { ...sent(b), uri: '/a b' })).message).toMatch(/forbidden character " "/);
    const xfp = sent(b);
    xfp.headers['x-forwarded-proto'] = { value: 'https' };
    const e = fails(() => applyRequestResult(b, s, xfp));
    expect([e.field, e.message]).toEqual(['headers["x-forwarded-proto"]', 'header X-Forwarded-Proto is disallowed: a function cannot add it']);
    const host = sent(b);
    host.headers['host'] = { value: 'other.example.com' };
    expect(fails(() => applyRequestResult(b, s, host)).message).toBe('read-only header Host was changed (viewer-request)');
    const noHost = sent(b);
    delete noHost.headers['host'];
    expect(fails(() => applyRequestResult(b, s, noHost)).message).toBe('read-only header Host was removed (viewer-request)');
    const cookie = sent(b);
    cookie.headers['cookie'] = { value: 'a=1' };
    expect(fails(() => applyRequestResult(b, s, cookie)).message).toMatch(/change request\.cookies instead/);
    const ctl = sent(b);
    ctl.headers['x-a'] = { value: 'a\r\nb' };
    expect(fails(() => applyRequestResult(b, s, ctl)).field).toBe('headers["x-a"].value');
    expect(fails(() => applyRequestResult(b, s, 'nope')).field).toBe('result');
    expect(fails(() => applyRequestResult(b, s, { ...sent(b), headers: { 'x-a': 'plain string' } })).message).toMatch(/must be an object \{ value: string \}/);
  });

  it('an uppercase header key is taken as lowercase, with a warning', () => {
    const b = base();
    const out = sent(b) as unknown as { headers: Record<string, unknown> };
    out.headers['X-Up'] = { value: '1' };
    const r = applyRequestResult(b, sent(b), out);
    expect(r.kind === 'request' && r.request.headers['x-up']).toEqual([{ key: 'X-Up', value: '1' }]);
    expect(r.warnings).toEqual(['headers["X-Up"]: header names must be lowercase; used as "x-up"']);
  });

  it('a request over 20,480 bytes of URL and headers is refused', () => {
    const b = base();
    const out = sent(b);
    out.headers['x-big'] = { value: 'x'.repeat(21_000) };
    expect(fails(() => applyRequestResult(b, sent(b), out)).message).toMatch(/CloudFront's limit is 20480/);
  });
});

describe('generated responses at viewer-request', () => {
  it('statusCode, headers, cookies and a text or base64 body', () => {
    const b = base();
    const r = applyRequestResult(b, sent(b), {
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: 'https://example.com/' } },
      cookies: { s: { value: '1', attributes: 'Path=/; Secure' }, t: { value: '2' } },
      body: { data: Buffer.from('hi').toString('base64'), encoding: 'base64' },
    });
    expect(r).toEqual({
      kind: 'response',
      warnings: [],
      response: {
        status: 302,
        statusDescription: 'Found',
        headers: { location: [{ key: 'Location', value: 'https://example.com/' }], 'set-cookie': [{ key: 'Set-Cookie', value: 's=1; Path=/; Secure' }, { key: 'Set-Cookie', value: 't=2' }] },
        body: Buffer.from('hi'),
      },
    });
    const plain = applyRequestResult(b, sent(b), { statusCode: 200, body: 'text' });
    expect(plain.kind === 'response' && [plain.response.statusDescription, plain.response.body.toString()]).toEqual(['OK', 'text']);
  });

  it('refuses a string status, an out-of-range one, bad base64, an unknown encoding and an oversized body', () => {
    const b = base();
    const s = sent(b);
    expect(fails(() => applyRequestResult(b, s, { statusCode: '302' })).message).toMatch(/an integer \(a number, not a string\)/);
    expect(fails(() => applyRequestResult(b, s, { statusCode: 99 })).message).toBe('statusCode must be 200–599, got 99');
    expect(fails(() => applyRequestResult(b, s, { statusCode: 200, body: { data: '@@', encoding: 'base64' } })).field).toBe('body.data');
    expect(fails(() => applyRequestResult(b, s, { statusCode: 200, body: { data: 'x', encoding: 'hex' } })).field).toBe('body.encoding');
    expect(fails(() => applyRequestResult(b, s, { statusCode: 200, body: 'x'.repeat(40 * 1024 + 1) })).message).toMatch(/40961 bytes; edgeproxy's limit .* 40960/);
    expect(applyRequestResult(b, s, { statusCode: 200, body: 'x'.repeat(100) }, { bodyLimitBytes: 200 }).kind).toBe('response');
  });
});

describe('viewer-response result', () => {
  const before = { status: 200, statusDescription: 'OK', headers: h([['Content-Type', 'text/html'], ['Content-Length', '5'], ['Via', '1.1 x'], ['Set-Cookie', 'a=1; Path=/']]) };
  const sentResponse = () => JSON.parse(JSON.stringify(toCffResponse({ status: '200', statusDescription: 'OK', headers: before.headers })));

  it('keeps everything unchanged, and may change status, headers, cookies and the body', () => {
    expect(applyResponseResult(before, sentResponse(), sentResponse())).toEqual({ ...before, body: undefined, warnings: [] });
    const out = sentResponse();
    out.statusCode = 404;
    out.headers['content-type'] = { value: 'text/plain' };
    out.headers['content-length'] = { value: '2' };
    out.cookies['b'] = { value: '2' };
    out.body = 'no';
    const r = applyResponseResult(before, sentResponse(), out);
    expect(r.status).toBe(404);
    expect(r.statusDescription).toBe('Not Found');
    // Content-Length is not read-only for CloudFront Functions at viewer-response
    expect(r.headers['content-length']).toEqual([{ key: 'Content-Length', value: '2' }]);
    expect(r.headers['set-cookie']).toEqual([{ key: 'Set-Cookie', value: 'a=1; Path=/' }, { key: 'Set-Cookie', value: 'b=2' }]);
    expect(r.body?.toString()).toBe('no');
    const ignored = applyResponseResult(before, sentResponse(), { ...sentResponse(), statusCode: 404 }, { viewerResponseStatusChange: false });
    expect([ignored.status, ignored.warnings]).toEqual([200, ['statusCode 404 ignored: cff.viewerResponseStatusChange is off']]);
  });

  it('refuses changes to Via and Warning, and set-cookie among the headers', () => {
    const via = sentResponse();
    via.headers['via'] = { value: 'other' };
    expect(fails(() => applyResponseResult(before, sentResponse(), via)).message).toBe('read-only header Via was changed (viewer-response)');
    const sc = sentResponse();
    sc.headers['set-cookie'] = { value: 'x=1' };
    expect(fails(() => applyResponseResult(before, sentResponse(), sc)).message).toMatch(/change response\.cookies instead/);
  });
});
