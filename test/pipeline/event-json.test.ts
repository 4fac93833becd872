// The event text the worker parses is assembled from a prefix built at start (event/event-json.ts
// eventJson): it must be exactly what JSON.stringify of the event object gives, for every trigger.

import { describe, expect, it } from 'vitest';
import type { CfRequest, CfResponse, EventType } from '../../src/event/types.js';
import type { Env } from '../../src/pipeline/env.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import { eventHeads, eventJson } from '../../src/event/event-json.js';

const config = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' };
const env = { eventHeads: eventHeads(config) } as Pick<Env, 'eventHeads'> as Env;

function exchange(requestId: string): Exchange {
  return { requestId } as Pick<Exchange, 'requestId'> as Exchange;
}

const request: CfRequest = {
  clientIp: '203.0.113.178',
  method: 'GET',
  uri: '/images/cat.jpg',
  querystring: 'size=large&q="quoted"\\x',
  headers: {
    host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }],
    'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 ünïcode \u2028 "q"' }],
    cookie: [{ key: 'Cookie', value: 'a=1' }, { key: 'Cookie', value: 'b=2' }],
  },
};
const response: CfResponse = { status: '200', statusDescription: 'OK', headers: { age: [{ key: 'Age', value: '3' }] } };

function reference(eventType: EventType, requestId: string, req: CfRequest, res?: CfResponse): string {
  const cf = { config: { ...config, eventType, requestId }, request: req, ...(res === undefined ? {} : { response: res }) };
  return JSON.stringify({ Records: [{ cf }] });
}

describe('eventJson', () => {
  it.each(['viewer-request', 'origin-request'] as const)('%s: same text as JSON.stringify of the event object', (t) => {
    const id = 'AbC-_0123456789abcdefghijABCDEFGHIJabcdefghij0123456789ab==';
    const text = eventJson(env, exchange(id), t, request);
    expect(text).toBe(reference(t, id, request));
    expect(JSON.parse(text)).toEqual({ Records: [{ cf: { config: { ...config, eventType: t, requestId: id }, request } }] });
  });

  it.each(['origin-response', 'viewer-response'] as const)('%s: request and response, same text as JSON.stringify', (t) => {
    const id = 'x'.repeat(54) + '==';
    expect(eventJson(env, exchange(id), t, request, response)).toBe(reference(t, id, request, response));
  });

  it('escapes what the fixed part does not control (a request id with a quote stays valid JSON)', () => {
    const text = eventJson(env, exchange('a"b'), 'viewer-request', request);
    expect((JSON.parse(text) as { Records: [{ cf: { config: { requestId: string } } }] }).Records[0].cf.config.requestId).toBe('a"b');
  });

  it('leaves out undefined fields as JSON.stringify does (a request without a body)', () => {
    const withUndefined = { ...request, body: undefined };
    expect(eventJson(env, exchange('id'), 'viewer-request', withUndefined)).toBe(reference('viewer-request', 'id', withUndefined));
  });
});
