// A Lambda@Edge invocation through real workers (runtime/edge-protocol.ts): the worker builds the
// event from raw lines, validates the result and answers with a diff; with capture it also returns
// the exact event it built and the result as the handler returned it, and without capture neither.

import { describe, expect, it } from 'vitest';
import { packEdgeCall, type EdgeAnswer } from '../../src/runtime/edge-protocol.js';
import { fnDef, runtime, within } from './helpers.js';

function call(capture: boolean, headers: string[] = ['Host', 'example.com', 'Connection', 'keep-alive']): string {
  return packEdgeCall({
    eventType: 'viewer-request',
    distributionDomainName: 'd111111abcdef8.cloudfront.net',
    distributionId: 'EDFDVBD6EXAMPLE',
    requestId: 'cf-req-id',
    capture,
    clientIp: '127.0.0.1',
    method: 'GET',
    uri: '/index.html',
    querystring: '',
    headers,
    asReceived: true,
    originJson: '',
    bodyJson: '',
  });
}

describe('edge invocations', () => {
  it('answers the added header as a diff; with capture, the event and the raw result come back too', async () => {
    const rt = runtime();
    const fn = fnDef('async-ok.mjs');
    const plain = await within(rt.invoke({ fn, eventType: 'viewer-request', event: call(false), edge: true, requestId: 'cf-req-id', timeoutMs: 5000 }), 15_000, 'invoke');
    if (!plain.ok) throw new Error(plain.errorMessage);
    const a = plain.result as EdgeAnswer;
    expect(a).toEqual({ k: 'q', h: { a: [['x-fixture', [{ key: 'X-Fixture', value: 'async-ok' }]]] } });

    const captured = await within(rt.invoke({ fn, eventType: 'viewer-request', event: call(true), edge: true, requestId: 'cf-req-id', timeoutMs: 5000 }), 15_000, 'invoke');
    if (!captured.ok) throw new Error(captured.errorMessage);
    const c = captured.result as EdgeAnswer;
    expect(c.k).toBe('q');
    // The event as the handler received it (Connection is never shown to functions), before it changed it.
    expect(JSON.parse(c.ev ?? '')).toEqual({
      Records: [
        {
          cf: {
            config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'cf-req-id' },
            request: { clientIp: '127.0.0.1', method: 'GET', uri: '/index.html', querystring: '', headers: { host: [{ key: 'Host', value: 'example.com' }] } },
          },
        },
      ],
    });
    expect(JSON.parse(c.raw ?? '').headers['x-fixture']).toEqual([{ key: 'X-Fixture', value: 'async-ok' }]);
  });

  it('a result CloudFront refuses comes back as the validator error: code, field and message', async () => {
    const rt = runtime();
    const o = await within(
      rt.invoke({ fn: fnDef('returns-undefined.js'), eventType: 'viewer-request', event: call(false), edge: true, requestId: 'r', timeoutMs: 5000 }),
      15_000,
      'invoke',
    );
    if (!o.ok) throw new Error(o.errorMessage);
    const a = o.result as EdgeAnswer;
    if (a.k !== 'x') throw new Error(`expected a validation error, got ${JSON.stringify(a)}`);
    expect(a.c).toBe('LambdaValidationError');
    expect(a.f).toBe('result');
    expect(a.m).toMatch(/^The JSON output must be an object type: the handler returned nothing \(null\)/);
  });
});
