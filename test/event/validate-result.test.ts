import { describe, expect, it } from 'vitest';
import { isEdgeError } from '../../src/errors.js';
import { makeRequestBody } from '../../src/event/body.js';
import type { CfRequest, CfResponse } from '../../src/event/types.js';
import { validateRequestResult, validateResponseResult } from '../../src/event/validate-result.js';

type Obj = Record<string, any>; // test-only: results are arbitrary JSON a function may return

function edgeError(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    if (isEdgeError(e)) return { code: e.code, field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected an EdgeError, got none');
}

const viewerInput: CfRequest = {
  clientIp: '198.51.100.23',
  method: 'GET',
  uri: '/img/logo.png',
  querystring: 'v=3',
  headers: {
    host: [{ key: 'Host', value: 'www.example.com' }],
    'user-agent': [{ key: 'User-Agent', value: 'curl/8.5.0' }],
    'content-length': [{ key: 'Content-Length', value: '4' }],
  },
};

const originInput: CfRequest = {
  clientIp: '198.51.100.23',
  method: 'GET',
  uri: '/img/logo.png',
  querystring: '',
  headers: {
    host: [{ key: 'Host', value: '127.0.0.1:3000' }],
    'user-agent': [{ key: 'User-Agent', value: 'Amazon CloudFront' }],
    via: [{ key: 'Via', value: '1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)' }],
    'accept-encoding': [{ key: 'Accept-Encoding', value: 'br,gzip' }],
  },
  origin: {
    custom: {
      customHeaders: { 'x-origin-secret': [{ key: 'X-Origin-Secret', value: 's' }] },
      domainName: '127.0.0.1',
      keepaliveTimeout: 5,
      path: '',
      port: 3000,
      protocol: 'http',
      readTimeout: 30,
      sslProtocols: ['TLSv1.2'],
    },
  },
};

const clone = <T>(v: T): T => structuredClone(v);
function edit(input: CfRequest, fn: (r: Obj) => void): Obj {
  const r = clone(input) as unknown as Obj;
  fn(r);
  return r;
}

describe('result shape (AWS rule: what each trigger may return)', () => {
  it.each([null, undefined, 'x', 42, true, [], [viewerInput]])('%j is not an object → field result', (v) => {
    const e = edgeError(() => validateRequestResult('viewer-request', viewerInput, v));
    expect(e).toMatchObject({ code: 'LambdaValidationError', field: 'result' });
    expect(e.message).toContain('The JSON output must be an object type');
    expect(edgeError(() => validateResponseResult('viewer-response', { status: '200', statusDescription: 'OK', headers: {} }, v)).field).toBe('result');
  });

  it('the unchanged input is valid and comes back as a request', () => {
    const out = validateRequestResult('viewer-request', viewerInput, clone(viewerInput));
    expect(out).toEqual({ kind: 'request', request: viewerInput });
    const o = validateRequestResult('origin-request', originInput, clone(originInput));
    expect(o).toEqual({ kind: 'request', request: originInput });
  });
});

type Case = [name: string, event: 'viewer-request' | 'origin-request', result: Obj, field: string | null];
const V = 'viewer-request' as const;
const O = 'origin-request' as const;

const requestCases: Case[] = [
  // uri
  ['uri rewrite', V, edit(viewerInput, (r) => (r.uri = '/other/index.html')), null],
  ['uri without leading /', V, edit(viewerInput, (r) => (r.uri = 'index.html')), 'uri'],
  ['uri not a string', V, edit(viewerInput, (r) => (r.uri = 5)), 'uri'],
  ['uri missing', V, edit(viewerInput, (r) => delete r.uri), 'uri'],
  ['uri with space', V, edit(viewerInput, (r) => (r.uri = '/a b')), 'uri'],
  ['uri with CRLF', V, edit(viewerInput, (r) => (r.uri = '/a\r\nX: y')), 'uri'],
  ['uri with #', V, edit(viewerInput, (r) => (r.uri = '/a#b')), 'uri'],
  // querystring
  ['querystring change', V, edit(viewerInput, (r) => (r.querystring = 'a=1&b=%20')), null],
  ['querystring removed → ""', V, edit(viewerInput, (r) => delete r.querystring), null],
  ['querystring with space', V, edit(viewerInput, (r) => (r.querystring = 'a=1 2')), 'querystring'],
  ['querystring with #', V, edit(viewerInput, (r) => (r.querystring = 'a=1#x')), 'querystring'],
  ['querystring with control char', V, edit(viewerInput, (r) => (r.querystring = 'a=\u0001')), 'querystring'],
  ['querystring not a string', V, edit(viewerInput, (r) => (r.querystring = { a: 1 })), 'querystring'],
  // length (docs/cloudfront-reference.md §3.5)
  ['uri + qs at 8,191', V, edit(viewerInput, (r) => ((r.uri = `/${'a'.repeat(8000)}`), (r.querystring = 'b'.repeat(8191 - 8001 - 1)))), null],
  ['uri + qs at 8,192', V, edit(viewerInput, (r) => ((r.uri = `/${'a'.repeat(8000)}`), (r.querystring = 'b'.repeat(8192 - 8001 - 1)))), 'uri'],
  // headers shape
  ['headers missing', V, edit(viewerInput, (r) => delete r.headers), 'headers'],
  ['headers an array', V, edit(viewerInput, (r) => (r.headers = [])), 'headers'],
  ['header value not an array', V, edit(viewerInput, (r) => (r.headers['x-a'] = { key: 'X-A', value: '1' })), 'headers["x-a"]'],
  ['header entry not an object', V, edit(viewerInput, (r) => (r.headers['x-a'] = ['1'])), 'headers["x-a"][0]'],
  ['header entry without value', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 'X-A' }])), 'headers["x-a"][0].value'],
  ['header value a number', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 'X-A', value: 1 }])), 'headers["x-a"][0].value'],
  ['header key mismatching map key', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 'X-B', value: '1' }])), 'headers["x-a"][0].key'],
  // U+212A (Kelvin sign) lowercases to "k": a key that only matches after Unicode folding is not a token.
  ['header key matching only by Unicode case folding', V, edit(viewerInput, (r) => (r.headers['x-k'] = [{ key: 'X-\u212A', value: '1' }])), 'headers["x-k"][0].key'],
  ['header key of another length', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 'X-Aa', value: '1' }])), 'headers["x-a"][0].key'],
  ['header key not a string', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 1, value: '1' }])), 'headers["x-a"][0].key'],
  ['header key in other case is fine', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ key: 'x-A', value: '1' }])), null],
  ['header map key not lowercase', V, edit(viewerInput, (r) => (r.headers['X-A'] = [{ key: 'X-A', value: '1' }])), 'headers["X-A"]'],
  ['header name not a token', V, edit(viewerInput, (r) => (r.headers['x a'] = [{ value: '1' }])), 'headers["x a"]'],
  ['header name with colon', V, edit(viewerInput, (r) => (r.headers['x:a'] = [{ value: '1' }])), 'headers["x:a"]'],
  ['header value with CR', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ value: 'a\rb' }])), 'headers["x-a"][0].value'],
  ['header value with LF', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ value: 'a\nSet-Cookie: x' }])), 'headers["x-a"][0].value'],
  ['header value with NUL', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ value: 'a\u0000' }])), 'headers["x-a"][0].value'],
  ['header value with HTAB', V, edit(viewerInput, (r) => (r.headers['x-a'] = [{ value: 'a\tb' }])), null],
  ['empty header array removes a writable header', V, edit(viewerInput, (r) => (r.headers['user-agent'] = [])), null],
  // disallowed (docs/cloudfront-reference.md §3.1)
  ['adds X-Cache', V, edit(viewerInput, (r) => (r.headers['x-cache'] = [{ value: 'Hit' }])), 'headers["x-cache"]'],
  ['adds X-Amz-Cf-Foo (prefix)', V, edit(viewerInput, (r) => (r.headers['x-amz-cf-foo'] = [{ value: '1' }])), 'headers["x-amz-cf-foo"]'],
  ['adds X-Edge-Foo (prefix)', O, edit(originInput, (r) => (r.headers['x-edge-foo'] = [{ value: '1' }])), 'headers["x-edge-foo"]'],
  ['adds Connection', O, edit(originInput, (r) => (r.headers.connection = [{ value: 'close' }])), 'headers["connection"]'],
  ['adds X-Amz-Meta-Foo (not disallowed)', O, edit(originInput, (r) => (r.headers['x-amz-meta-foo'] = [{ value: '1' }])), null],
  // read-only (docs/cloudfront-reference.md §3.2)
  ['viewer-request changes Host', V, edit(viewerInput, (r) => (r.headers.host[0].value = 'evil.example')), 'headers["host"]'],
  ['viewer-request removes Host', V, edit(viewerInput, (r) => delete r.headers.host), 'headers["host"]'],
  ['viewer-request empties Content-Length', V, edit(viewerInput, (r) => (r.headers['content-length'] = [])), 'headers["content-length"]'],
  ['viewer-request adds Via', V, edit(viewerInput, (r) => (r.headers.via = [{ value: '1.1 x' }])), 'headers["via"]'],
  ['viewer-request adds Transfer-Encoding', V, edit(viewerInput, (r) => (r.headers['transfer-encoding'] = [{ value: 'chunked' }])), 'headers["transfer-encoding"]'],
  ['viewer-request re-spells Host key, same value', V, edit(viewerInput, (r) => (r.headers.host[0].key = 'HOST')), null],
  ['origin-request changes Host', O, edit(originInput, (r) => (r.headers.host = [{ key: 'Host', value: 'other.example' }])), null],
  ['origin-request changes Via', O, edit(originInput, (r) => (r.headers.via[0].value = '1.1 me')), 'headers["via"]'],
  ['origin-request changes Accept-Encoding', O, edit(originInput, (r) => (r.headers['accept-encoding'][0].value = 'gzip')), 'headers["accept-encoding"]'],
  ['origin-request adds If-None-Match', O, edit(originInput, (r) => (r.headers['if-none-match'] = [{ value: '"x"' }])), 'headers["if-none-match"]'],
  ['viewer-request may add If-None-Match', V, edit(viewerInput, (r) => (r.headers['if-none-match'] = [{ value: '"x"' }])), null],
  // CloudFront-Viewer-Country (docs/cloudfront-reference.md §3.3)
  ['viewer-request adds CloudFront-Viewer-Country', V, edit(viewerInput, (r) => (r.headers['cloudfront-viewer-country'] = [{ value: 'DE' }])), 'headers["cloudfront-viewer-country"]'],
  ['origin-request adds CloudFront-Viewer-Country', O, edit(originInput, (r) => (r.headers['cloudfront-viewer-country'] = [{ value: 'DE' }])), null],
  ['viewer-request adds CloudFront-Is-Mobile-Viewer', V, edit(viewerInput, (r) => (r.headers['cloudfront-is-mobile-viewer'] = [{ value: 'true' }])), null],
  // origin (docs/cloudfront-reference.md §1.4)
  ['origin switched to another custom origin', O, edit(originInput, (r) => Object.assign(r.origin.custom, { domainName: 'api.example.com', port: 443, protocol: 'https', path: '/v2' })), null],
  ['origin switched to localhost', O, edit(originInput, (r) => (r.origin.custom.domainName = 'localhost')), null],
  ['origin switched to ::1', O, edit(originInput, (r) => (r.origin.custom.domainName = '::1')), null],
  ['origin missing', O, edit(originInput, (r) => delete r.origin), 'origin'],
  ['origin with both custom and s3', O, edit(originInput, (r) => (r.origin.s3 = {})), 'origin'],
  ['domainName with a port', O, edit(originInput, (r) => (r.origin.custom.domainName = 'a.example:8080')), 'origin.custom.domainName'],
  ['domainName empty', O, edit(originInput, (r) => (r.origin.custom.domainName = '')), 'origin.custom.domainName'],
  ['domainName too long', O, edit(originInput, (r) => (r.origin.custom.domainName = `${'a.'.repeat(127)}com`)), 'origin.custom.domainName'],
  ['port 8080', O, edit(originInput, (r) => (r.origin.custom.port = 8080)), null],
  ['port 81', O, edit(originInput, (r) => (r.origin.custom.port = 81)), 'origin.custom.port'],
  ['port as string', O, edit(originInput, (r) => (r.origin.custom.port = '443')), 'origin.custom.port'],
  ['protocol ftp', O, edit(originInput, (r) => (r.origin.custom.protocol = 'ftp')), 'origin.custom.protocol'],
  ['path with trailing /', O, edit(originInput, (r) => (r.origin.custom.path = '/a/')), 'origin.custom.path'],
  ['path without leading /', O, edit(originInput, (r) => (r.origin.custom.path = 'a')), 'origin.custom.path'],
  ['path /a/b', O, edit(originInput, (r) => (r.origin.custom.path = '/a/b')), null],
  ['readTimeout 3', O, edit(originInput, (r) => (r.origin.custom.readTimeout = 3)), 'origin.custom.readTimeout'],
  ['readTimeout 60', O, edit(originInput, (r) => (r.origin.custom.readTimeout = 60)), null],
  ['keepaliveTimeout 61', O, edit(originInput, (r) => (r.origin.custom.keepaliveTimeout = 61)), 'origin.custom.keepaliveTimeout'],
  ['sslProtocols bad', O, edit(originInput, (r) => (r.origin.custom.sslProtocols = ['TLSv1.3'])), 'origin.custom.sslProtocols'],
  ['custom header added', O, edit(originInput, (r) => (r.origin.custom.customHeaders['x-new'] = [{ value: '1' }])), null],
  ['custom header disallowed', O, edit(originInput, (r) => (r.origin.custom.customHeaders['x-cache'] = [{ value: '1' }])), 'origin.custom.customHeaders["x-cache"]'],
  ['custom header CloudFront cannot add', O, edit(originInput, (r) => (r.origin.custom.customHeaders['cache-control'] = [{ value: 'no-cache' }])), 'origin.custom.customHeaders["cache-control"]'],
  ['custom header clashes with request header', O, edit(originInput, (r) => (r.headers['x-origin-secret'] = [{ value: 'x' }])), 'origin.custom.customHeaders["x-origin-secret"]'],
  ['switch to s3 with OAI + region', O, edit(originInput, (r) => (r.origin = { s3: { authMethod: 'origin-access-identity', customHeaders: {}, domainName: 'b.s3.us-east-1.amazonaws.com', path: '', region: 'us-east-1' } })), null],
  ['s3 OAI without region', O, edit(originInput, (r) => (r.origin = { s3: { authMethod: 'origin-access-identity', customHeaders: {}, domainName: 'b.s3.amazonaws.com', path: '' } })), 'origin.s3.region'],
  ['s3 uppercase domain', O, edit(originInput, (r) => (r.origin = { s3: { authMethod: 'none', customHeaders: {}, domainName: 'B.s3.amazonaws.com', path: '' } })), 'origin.s3.domainName'],
  ['s3 bad authMethod', O, edit(originInput, (r) => (r.origin = { s3: { authMethod: 'oac', customHeaders: {}, domainName: 'b.s3.amazonaws.com', path: '' } })), 'origin.s3.authMethod'],
  // generated responses (docs/cloudfront-reference.md §2.3)
  ['generated 302', V, { status: '302', headers: { location: [{ key: 'Location', value: 'https://x/' }] } }, null],
  ['generated numeric status', V, { status: 200, body: 'hi' }, null],
  ['generated status 199', V, { status: '199' }, 'status'],
  ['generated status 600', V, { status: 600 }, 'status'],
  ['generated status 2.5e2', V, { status: 250.5 }, 'status'],
  ['generated status "abc"', V, { status: 'abc' }, 'status'],
  ['generated status " 200"', V, { status: ' 200' }, 'status'],
  ['generated statusDescription not a string', V, { status: 200, statusDescription: 5 }, 'statusDescription'],
  ['generated statusDescription with CRLF', V, { status: 200, statusDescription: 'OK\r\nX: y' }, 'statusDescription'],
  ['generated body not a string', V, { status: 200, body: { a: 1 } }, 'body'],
  ['generated bad bodyEncoding', V, { status: 200, body: 'x', bodyEncoding: 'utf8' }, 'bodyEncoding'],
  ['generated invalid base64', V, { status: 200, body: 'x!', bodyEncoding: 'base64' }, 'body'],
  ['generated valid base64', V, { status: 200, body: 'aGk=', bodyEncoding: 'base64' }, null],
  ['generated disallowed header', V, { status: 200, headers: { 'x-cache': [{ value: 'x' }] } }, 'headers["x-cache"]'],
  ['generated 204 with body at viewer-request', V, { status: 204, body: '' }, 'body'],
  ['generated 204 without body at viewer-request', V, { status: 204 }, null],
  ['generated 204 with body at origin-request', O, { status: 204, body: 'x' }, null],
  ['generated 40 KiB at viewer-request', V, { status: 200, body: 'x'.repeat(40 * 1024 - 100) }, null],
  ['generated over 40 KiB at viewer-request', V, { status: 200, body: 'x'.repeat(40 * 1024 - 10), headers: { 'x-a': [{ value: 'y'.repeat(20) }] } }, 'body'],
  ['generated over 40 KiB of headers', V, { status: 200, headers: { 'x-a': [{ value: 'y'.repeat(41 * 1024) }] } }, 'headers'],
  ['generated 1 MiB - 100 at origin-request', O, { status: 200, body: 'x'.repeat(1024 * 1024 - 100) }, null],
  ['generated over 1 MiB at origin-request', O, { status: 200, body: 'x'.repeat(1024 * 1024 + 1) }, 'body'],
  ['status + uri is a generated response (AWS rule: request or response?)', V, { ...clone(viewerInput), status: '200' }, null],
];

describe('validateRequestResult rules', () => {
  it.each(requestCases)('%s (%s)', (_name, eventType, result, field) => {
    const input = eventType === V ? viewerInput : originInput;
    if (field === null) {
      expect(() => validateRequestResult(eventType, input, result)).not.toThrow();
    } else {
      const e = edgeError(() => validateRequestResult(eventType, input, result));
      expect(e.code).toBe('LambdaValidationError');
      expect(e.field).toBe(field);
    }
  });
});

describe('validateRequestResult outputs', () => {
  it('fills missing keys and drops emptied headers', () => {
    const r = edit(viewerInput, (x) => {
      x.headers['x-new-header'] = [{ value: '1' }];
      x.headers['user-agent'] = [];
    });
    const out = validateRequestResult(V, viewerInput, r);
    expect(out.kind).toBe('request');
    if (out.kind !== 'request') return;
    expect(out.request.headers['x-new-header']).toEqual([{ key: 'X-New-Header', value: '1' }]);
    expect(out.request.headers['user-agent']).toBeUndefined();
  });

  it('ignores method and clientIp changes (read-only)', () => {
    const out = validateRequestResult(V, viewerInput, edit(viewerInput, (x) => ((x.method = 'POST'), (x.clientIp = '10.0.0.1'))));
    expect(out).toMatchObject({ kind: 'request', request: { method: 'GET', clientIp: '198.51.100.23' } });
  });

  it('percent-encodes non-ASCII in uri and querystring as UTF-8', () => {
    const out = validateRequestResult(V, viewerInput, edit(viewerInput, (x) => ((x.uri = '/café'), (x.querystring = 'q=ü'))));
    expect(out).toMatchObject({ request: { uri: '/caf%C3%A9', querystring: 'q=%C3%BC' } });
  });

  it('sends header values beyond latin1 as their UTF-8 bytes', () => {
    const out = validateRequestResult(V, viewerInput, edit(viewerInput, (x) => (x.headers['x-a'] = [{ value: '€' }])));
    if (out.kind !== 'request') throw new Error('expected request');
    expect(Buffer.from(out.request.headers['x-a']![0]!.value, 'latin1')).toEqual(Buffer.from('€', 'utf8'));
  });

  it('generated response: status number, default reason phrase, keys filled, body decoded', () => {
    const out = validateRequestResult(V, viewerInput, { status: '302', headers: { location: [{ value: '/x' }] }, body: 'aGk=', bodyEncoding: 'base64' });
    expect(out).toEqual({ kind: 'response', response: { status: 302, statusDescription: 'Found', headers: { location: [{ key: 'Location', value: '/x' }] }, body: Buffer.from('hi') } });
    const noBody = validateRequestResult(V, viewerInput, { status: 200, statusDescription: 'Fine' });
    expect(noBody).toEqual({ kind: 'response', response: { status: 200, statusDescription: 'Fine', headers: {}, body: Buffer.alloc(0) } });
  });

  it('body: read-only keeps the original; replace validated; ignored without includeBody', () => {
    const withBody: CfRequest = { ...clone(viewerInput), method: 'POST', body: makeRequestBody(Buffer.from('abcd'), V) };
    const ro = validateRequestResult(V, withBody, edit(withBody, (x) => (x.body.data = 'changed')));
    expect(ro).toMatchObject({ request: { body: { action: 'read-only', data: 'YWJjZA==' } } });
    const rep = validateRequestResult(V, withBody, edit(withBody, (x) => Object.assign(x.body, { action: 'replace', encoding: 'text', data: 'new' })));
    expect(rep).toMatchObject({ request: { body: { action: 'replace', encoding: 'text', data: 'new', inputTruncated: false } } });
    expect(edgeError(() => validateRequestResult(V, withBody, edit(withBody, (x) => Object.assign(x.body, { action: 'replace', data: '***' })))).field).toBe('body.data');
    const invented = validateRequestResult(V, viewerInput, edit(viewerInput, (x) => (x.body = { action: 'replace', data: 'aGk=' })));
    expect(invented.kind === 'request' && 'body' in invented.request).toBe(false);
  });

  it('viewer-request never gets an origin back even if the function adds one', () => {
    const out = validateRequestResult(V, viewerInput, edit(viewerInput, (x) => (x.origin = { custom: {} })));
    expect(out.kind === 'request' && 'origin' in out.request).toBe(false);
  });

  it('a disallowed header already in the input may be returned; adding one may not', () => {
    const leaky: CfRequest = { ...clone(viewerInput), headers: { ...clone(viewerInput.headers), 'x-cache': [{ key: 'X-Cache', value: 'Hit' }] } };
    expect(validateRequestResult(V, leaky, clone(leaky)).kind).toBe('request');
    expect(edgeError(() => validateRequestResult(V, viewerInput, clone(leaky))).field).toBe('headers["x-cache"]');
  });

  it('messages name what is wrong', () => {
    expect(edgeError(() => validateRequestResult(V, viewerInput, edit(viewerInput, (r) => (r.headers['x-cache'] = [{ value: '1' }])))).message).toBe(
      'header X-Cache is disallowed (AWS rule: disallowed headers)',
    );
    expect(edgeError(() => validateRequestResult(V, viewerInput, edit(viewerInput, (r) => (r.headers.host[0].value = 'x')))).message).toBe(
      'read-only header Host was changed (AWS rule: read-only headers, viewer-request)',
    );
  });
});

const originResponse: CfResponse = {
  status: '404',
  statusDescription: 'Not Found',
  headers: {
    'content-type': [{ key: 'Content-Type', value: 'text/html' }],
    'content-length': [{ key: 'Content-Length', value: '512' }],
  },
};
const viewerResponse: CfResponse = {
  status: '200',
  statusDescription: 'OK',
  headers: {
    'content-type': [{ key: 'Content-Type', value: 'text/html' }],
    'content-length': [{ key: 'Content-Length', value: '512' }],
    'content-encoding': [{ key: 'Content-Encoding', value: 'gzip' }],
    age: [{ key: 'Age', value: '10' }],
  },
};
function editResp(input: CfResponse, fn: (r: Obj) => void): Obj {
  const r = clone(input) as unknown as Obj;
  fn(r);
  return r;
}

type RCase = [name: string, event: 'origin-response' | 'viewer-response', result: Obj, field: string | null];
const OR = 'origin-response' as const;
const VR = 'viewer-response' as const;
const responseCases: RCase[] = [
  ['origin-response unchanged', OR, clone(originResponse), null],
  ['origin-response 404 → 200 (number)', OR, editResp(originResponse, (r) => (r.status = 200)), null],
  ['origin-response status 700', OR, editResp(originResponse, (r) => (r.status = '700')), 'status'],
  ['origin-response status missing', OR, editResp(originResponse, (r) => delete r.status), 'status'],
  ['origin-response adds Via', OR, editResp(originResponse, (r) => (r.headers.via = [{ value: '1.1 x' }])), 'headers["via"]'],
  ['origin-response adds Transfer-Encoding', OR, editResp(originResponse, (r) => (r.headers['transfer-encoding'] = [{ value: 'chunked' }])), 'headers["transfer-encoding"]'],
  ['origin-response changes Content-Length', OR, editResp(originResponse, (r) => (r.headers['content-length'][0].value = '1')), null],
  ['origin-response adds X-Cache', OR, editResp(originResponse, (r) => (r.headers['x-cache'] = [{ value: 'x' }])), 'headers["x-cache"]'],
  ['origin-response headers missing', OR, editResp(originResponse, (r) => delete r.headers), 'headers'],
  ['origin-response body replaced', OR, editResp(originResponse, (r) => (r.body = '<h1>hi</h1>')), null],
  ['origin-response body invalid base64', OR, editResp(originResponse, (r) => ((r.body = 'x'), (r.bodyEncoding = 'base64'))), 'body'],
  ['origin-response body not a string', OR, editResp(originResponse, (r) => (r.body = null)), 'body'],
  ['origin-response body over 1 MiB', OR, editResp(originResponse, (r) => (r.body = 'x'.repeat(1024 * 1024))), 'body'],
  ['viewer-response adds a header', VR, editResp(viewerResponse, (r) => (r.headers['strict-transport-security'] = [{ value: 'max-age=1' }])), null],
  ['viewer-response changes Content-Length', VR, editResp(viewerResponse, (r) => (r.headers['content-length'][0].value = '1')), 'headers["content-length"]'],
  ['viewer-response removes Content-Encoding', VR, editResp(viewerResponse, (r) => delete r.headers['content-encoding']), 'headers["content-encoding"]'],
  ['viewer-response adds Warning', VR, editResp(viewerResponse, (r) => (r.headers.warning = [{ value: '110 x' }])), 'headers["warning"]'],
  ['viewer-response changes status (ignored)', VR, editResp(viewerResponse, (r) => (r.status = '500')), null],
  ['viewer-response body over 40 KiB', VR, editResp(viewerResponse, (r) => (r.body = 'x'.repeat(40 * 1024))), 'body'],
  ['viewer-response header value with LF', VR, editResp(viewerResponse, (r) => (r.headers['x-a'] = [{ value: 'a\nb' }])), 'headers["x-a"][0].value'],
];

describe('validateResponseResult rules', () => {
  it.each(responseCases)('%s', (_name, eventType, result, field) => {
    const input = eventType === OR ? originResponse : viewerResponse;
    if (field === null) {
      expect(() => validateResponseResult(eventType, input, result)).not.toThrow();
    } else {
      const e = edgeError(() => validateResponseResult(eventType, input, result));
      expect(e.code).toBe('LambdaValidationError');
      expect(e.field).toBe(field);
    }
  });

  it('origin-response: new status gets its reason phrase; kept body is undefined, replaced body a Buffer', () => {
    expect(validateResponseResult(OR, originResponse, editResp(originResponse, (r) => (r.status = 200)))).toMatchObject({ status: 200, statusDescription: 'OK', body: undefined });
    expect(validateResponseResult(OR, originResponse, clone(originResponse))).toMatchObject({ status: 404, statusDescription: 'Not Found', body: undefined });
    const b = validateResponseResult(OR, originResponse, editResp(originResponse, (r) => ((r.body = 'aGk='), (r.bodyEncoding = 'base64'))));
    expect(b.body).toEqual(Buffer.from('hi'));
    expect(validateResponseResult(OR, originResponse, editResp(originResponse, (r) => (r.body = ''))).body).toEqual(Buffer.alloc(0));
  });

  it('viewer-response keeps the original status and description', () => {
    const out = validateResponseResult(VR, viewerResponse, editResp(viewerResponse, (r) => ((r.status = 302), (r.statusDescription = 'Found'))));
    expect(out).toMatchObject({ status: 200, statusDescription: 'OK' });
  });
});

describe('origin-response status description', () => {
  it('an explicit new description wins; an untouched one follows the new status', () => {
    const explicit = validateResponseResult(OR, originResponse, editResp(originResponse, (r) => ((r.status = '302'), (r.statusDescription = 'Moved Temporarily'))));
    expect(explicit.statusDescription).toBe('Moved Temporarily');
    const sameStatus = validateResponseResult(OR, originResponse, editResp(originResponse, (r) => (r.statusDescription = 'Gone Fishing')));
    expect(sameStatus).toMatchObject({ status: 404, statusDescription: 'Gone Fishing' });
  });
});
