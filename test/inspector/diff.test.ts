// The event → result diff of the inspector, on both event shapes (Lambda@Edge and CloudFront Functions).

import { describe, expect, it } from 'vitest';
import { diffHeaders, diffResult, headerValues } from '../../src/inspector/diff.js';

const lambdaEvent = (request: Record<string, unknown>, response?: Record<string, unknown>) => ({
  Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'x' }, request, ...(response === undefined ? {} : { response }) } }],
});

const req = {
  clientIp: '127.0.0.1',
  method: 'GET',
  uri: '/a',
  querystring: 'x=1',
  headers: {
    host: [{ key: 'Host', value: 'example.com' }],
    accept: [{ key: 'Accept', value: 'text/html' }],
    cookie: [{ key: 'Cookie', value: 'a=1' }, { key: 'Cookie', value: 'b=2' }],
  },
};

describe('diffHeaders', () => {
  it('names each header added, removed and changed, by lowercase name, with its values', () => {
    const after = {
      Host: [{ key: 'Host', value: 'example.com' }],
      accept: [{ key: 'Accept', value: 'application/json' }],
      cookie: [{ key: 'Cookie', value: 'a=1' }],
      'x-new': [{ key: 'X-New', value: '1' }, { key: 'X-New', value: '2' }],
    };
    expect(diffHeaders(req.headers, after)).toEqual([
      { name: 'accept', kind: 'changed', before: ['text/html'], after: ['application/json'] },
      { name: 'cookie', kind: 'changed', before: ['a=1', 'b=2'], after: ['a=1'] },
      { name: 'x-new', kind: 'added', after: ['1', '2'] },
    ]);
    expect(diffHeaders(req.headers, { host: req.headers.host })).toEqual([
      { name: 'accept', kind: 'removed', before: ['text/html'] },
      { name: 'cookie', kind: 'removed', before: ['a=1', 'b=2'] },
    ]);
    expect(diffHeaders(req.headers, req.headers)).toEqual([]);
  });

  it("reads CloudFront Functions' { value, multiValue } headers", () => {
    expect(headerValues({ 'X-A': { value: '1' }, b: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] } })).toEqual(
      new Map([
        ['x-a', ['1']],
        ['b', ['1', '2']],
      ]),
    );
    expect(diffHeaders({ a: { value: '1' } }, { a: { value: '2' }, c: { value: '3' } })).toEqual([
      { name: 'a', kind: 'changed', before: ['1'], after: ['2'] },
      { name: 'c', kind: 'added', after: ['3'] },
    ]);
  });
});

describe('diffResult', () => {
  it('a request trigger: uri, querystring and method changes, headers, a replaced body', () => {
    const result = { ...req, uri: '/b', querystring: '', method: 'POST', headers: { ...req.headers, 'x-a': [{ key: 'X-A', value: 'v' }] }, body: { action: 'replace', encoding: 'text', data: 'new' } };
    expect(diffResult('viewer-request', lambdaEvent(req), result)).toEqual({
      kind: 'request',
      fields: [
        { field: 'method', before: 'GET', after: 'POST' },
        { field: 'uri', before: '/a', after: '/b' },
        { field: 'querystring', before: 'x=1', after: '' },
      ],
      headers: [{ name: 'x-a', kind: 'added', after: ['v'] }],
      cookies: [],
      bodyReplaced: true,
    });
  });

  it('the same request back is no change; a read-only body is not a replacement', () => {
    const withBody = { ...req, body: { inputTruncated: false, action: 'read-only', encoding: 'base64', data: 'aGk=' } };
    expect(diffResult('origin-request', lambdaEvent(withBody), withBody)).toEqual({ kind: 'request', fields: [], headers: [], cookies: [], bodyReplaced: false });
  });

  it('a request trigger that returns a response generated one: everything in it is new', () => {
    const d = diffResult('viewer-request', lambdaEvent(req), { status: '302', statusDescription: 'Found', headers: { location: [{ key: 'Location', value: '/x' }] } });
    expect(d).toEqual({
      kind: 'generated',
      fields: [
        { field: 'status', before: undefined, after: '302' },
        { field: 'statusDescription', before: undefined, after: 'Found' },
      ],
      headers: [{ name: 'location', kind: 'added', after: ['/x'] }],
      cookies: [],
      bodyReplaced: false,
    });
  });

  it('a response trigger: status, reason phrase, headers, body', () => {
    const response = { status: '200', statusDescription: 'OK', headers: { 'cache-control': [{ key: 'Cache-Control', value: 'no-cache' }] } };
    const d = diffResult('origin-response', lambdaEvent(req, response), { status: 404, statusDescription: 'Not Found', headers: { 'cache-control': [{ key: 'Cache-Control', value: 'max-age=60' }] }, body: 'gone' });
    expect(d).toEqual({
      kind: 'response',
      fields: [
        { field: 'status', before: '200', after: '404' },
        { field: 'statusDescription', before: 'OK', after: 'Not Found' },
      ],
      headers: [{ name: 'cache-control', kind: 'changed', before: ['no-cache'], after: ['max-age=60'] }],
      cookies: [],
      bodyReplaced: true,
    });
    // A status given as a number equal to the event's string is no change.
    expect(diffResult('viewer-response', lambdaEvent(req, response), { ...response, status: 200 })?.fields).toEqual([]);
  });

  it('CloudFront Functions: the event shape without Records, querystring objects and cookies', () => {
    const event = {
      version: '1.0',
      context: { eventType: 'viewer-request' },
      request: { method: 'GET', uri: '/a', querystring: { x: { value: '1' } }, headers: { host: { value: 'h' } }, cookies: { a: { value: '1' } } },
    };
    const result = { method: 'GET', uri: '/a/index.html', querystring: {}, headers: { host: { value: 'h' }, 'x-b': { value: '2' } }, cookies: { a: { value: '1' }, s: { value: 'n' } } };
    expect(diffResult('viewer-request', event, result)).toEqual({
      kind: 'request',
      fields: [
        { field: 'uri', before: '/a', after: '/a/index.html' },
        { field: 'querystring', before: '{"x":{"value":"1"}}', after: '{}' },
      ],
      headers: [{ name: 'x-b', kind: 'added', after: ['2'] }],
      cookies: [{ name: 's', kind: 'added', after: ['n'] }],
      bodyReplaced: false,
    });
  });

  it('no result object: nothing to compare', () => {
    expect(diffResult('viewer-request', lambdaEvent(req), undefined)).toBeUndefined();
    expect(diffResult('viewer-request', lambdaEvent(req), 'text')).toBeUndefined();
  });
});
