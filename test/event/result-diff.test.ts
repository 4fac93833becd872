// The hop's two halves agree: the event the worker builds from raw lines (event/build.ts) is the text
// the proxy used to send, and the proxy applying the worker's diff (event/result-diff.ts) ends with
// exactly what CloudFront's validator returned (event/validate-result.ts), header order included.

import { describe, expect, it } from 'vitest';
import { buildEvent, buildRequest } from '../../src/event/build.js';
import { eventHeads, eventJson } from '../../src/event/event-json.js';
import { viewerEventHeaders } from '../../src/event/headers.js';
import { applyHeaderDiff, applyRequestDiff, diffHeaders, diffRequest } from '../../src/event/result-diff.js';
import type { CfHeaders, CfRequest } from '../../src/event/types.js';
import { validateRequestResult, validateResponseResult } from '../../src/event/validate-result.js';
import type { Env } from '../../src/pipeline/env.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import { decodeEdgeAnswer, packEdgeCall, unpackEdgeCall } from '../../src/runtime/edge-protocol.js';

const CONFIG = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' };
const RAW = [
  'Host', 'www.example.com',
  'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64)\tTab',
  'Accept', 'text/html',
  'Connection', 'keep-alive',
  'X-Edgeproxy-CloudFront-Viewer-Country', 'FR',
  'Cookie', 'a=1',
  'cookie', 'b=2',
];
const viewer: CfRequest = { clientIp: '203.0.113.178', method: 'GET', uri: '/a', querystring: 'x=1', headers: viewerEventHeaders(RAW) };

type Obj = Record<string, any>; // test-only: a function's result is arbitrary JSON

function edited(fn: (r: Obj) => void): unknown {
  const r = structuredClone(viewer) as unknown as Obj;
  fn(r);
  return JSON.parse(JSON.stringify(r));
}

describe('the event built from raw lines', () => {
  it('is, as text, the event the proxy used to serialize (viewer-request, from the viewer lines as received)', () => {
    const requestId = 'AbC-_0123456789abcdefghijABCDEFGHIJabcdefghij0123456789ab==';
    const env = { eventHeads: eventHeads(CONFIG) } as Pick<Env, 'eventHeads'> as Env;
    const ex = { requestId } as Pick<Exchange, 'requestId'> as Exchange;
    const built = buildEvent('viewer-request', { ...CONFIG, requestId, request: { ...viewer, headers: RAW, asReceived: true } });
    expect(JSON.stringify(built)).toBe(eventJson(env, ex, 'viewer-request', viewer));
    expect(built.Records[0].cf.request.headers['x-edgeproxy-cloudfront-viewer-country']).toBeUndefined();
    expect(built.Records[0].cf.request.headers.connection).toBeUndefined();
  });

  it('crosses the boundary intact: packed, unpacked, the same request (tabs in values, an origin, a response)', () => {
    const origin = { custom: { customHeaders: {}, domainName: 'example.org', keepaliveTimeout: 5, path: '', port: 443, protocol: 'https' as const, readTimeout: 30, sslProtocols: ['TLSv1.2'] } };
    const s = packEdgeCall({
      eventType: 'origin-response', ...CONFIG, requestId: 'r', capture: true, clientIp: '::1', method: 'POST', uri: '/b', querystring: '',
      headers: ['Via', '1.1 x', 'X-T', 'a\tb'], asReceived: false, originJson: JSON.stringify(origin), bodyJson: '',
      response: { status: '404', statusDescription: 'Not Found', headers: ['Content-Type', 'text/plain'] },
    });
    const call = unpackEdgeCall(s);
    expect(call).toMatchObject({ eventType: 'origin-response', requestId: 'r', capture: true, response: { status: '404', statusDescription: 'Not Found' } });
    expect(buildRequest(call!.request)).toEqual({ clientIp: '::1', method: 'POST', uri: '/b', querystring: '', headers: { via: [{ key: 'Via', value: '1.1 x' }], 'x-t': [{ key: 'X-T', value: 'a\tb' }] }, origin });
    expect(unpackEdgeCall('{"not":"packed"}')).toBeUndefined();
    expect(decodeEdgeAnswer('U')).toEqual({ k: 'u' });
  });
});

describe('applying the diff gives what the validator returned', () => {
  const cases: Array<[string, unknown]> = [
    ['unchanged', edited(() => {})],
    ['one header added', edited((r) => { r.headers['x-new'] = [{ key: 'X-New', value: '1' }]; })],
    ['a header changed in place', edited((r) => { r.headers.accept = [{ key: 'Accept', value: 'image/png' }]; })],
    ['a header removed', edited((r) => { delete r.headers.cookie; })],
    ['a key left out (filled by the validator)', edited((r) => { r.headers['x-k'] = [{ value: 'v' }]; })],
    ['a kept header moved after a new one', edited((r) => { const ua = r.headers['user-agent']; delete r.headers['user-agent']; r.headers['x-a'] = [{ key: 'X-A', value: '1' }]; r.headers['user-agent'] = ua; })],
    ['headers reordered', edited((r) => { const h = r.headers; r.headers = { accept: h.accept, host: h.host, 'user-agent': h['user-agent'], cookie: h.cookie }; })],
    ['uri and querystring, non-ASCII encoded', edited((r) => { r.uri = '/ü'; r.querystring = 'q=é'; })],
    ['a header emptied (removed)', edited((r) => { r.headers.accept = []; })],
  ];
  it.each(cases)('%s', (_name, result) => {
    const v = validateRequestResult('viewer-request', viewer, result);
    if (v.kind !== 'request') throw new Error('expected a request');
    // The worker diffs against its own copy of the event's request; the proxy applies it to its own.
    const d = diffRequest(buildRequest({ ...viewer, headers: RAW, asReceived: true }), v.request);
    const applied = applyRequestDiff(viewer, d === undefined ? undefined : (JSON.parse(JSON.stringify(d)) as typeof d));
    expect(applied).toEqual(v.request);
    expect(Object.keys(applied.headers)).toEqual(Object.keys(v.request.headers));
  });

  it('response headers: changed, removed and added lines, in the validator order', () => {
    const input = { status: '200', statusDescription: 'OK', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/html' }], etag: [{ key: 'ETag', value: '"1"' }] } as CfHeaders };
    const result = { ...structuredClone(input), headers: { 'content-type': [{ key: 'content-type', value: 'text/plain' }], 'x-b': [{ key: 'X-B', value: '2' }] } };
    const v = validateResponseResult('viewer-response', input, result);
    const applied = applyHeaderDiff(input.headers, diffHeaders(input.headers, v.headers));
    expect(applied).toEqual(v.headers);
    expect(Object.keys(applied)).toEqual(['content-type', 'x-b']);
    expect(diffHeaders(input.headers, structuredClone(input.headers))).toBeUndefined();
  });
});
