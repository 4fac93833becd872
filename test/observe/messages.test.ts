// Messages for the usual mistakes, through the real proxy and real workers: a handler that returns
// nothing, the whole event, or the wrong half of it; a status change at viewer-response (ignored by
// CloudFront, said once per function); and --inspector-headers' X-Edgeproxy-Error with the reason
// while the page keeps CloudFront's text.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

let dir: string;
let origin: TestOrigin;
let proxy: TestProxy;
let inspected: TestProxy;

const FUNCTIONS: Record<string, string> = {
  'nothing.js': 'exports.handler = async (event) => { event.Records[0].cf.request.uri = "/x"; };\n',
  'event.js': 'exports.handler = async (event) => event;\n',
  'request-at-response.js': 'exports.handler = async (event) => event.Records[0].cf.request;\n',
  'nothing-response.js': 'exports.handler = (event, context, callback) => callback(null);\n',
  'status.js': 'exports.handler = async (event) => { const r = event.Records[0].cf.response; r.status = "404"; return r; };\n',
};

function config(inspector: boolean): Record<string, unknown> {
  const fns = Object.keys(FUNCTIONS).map((file) => ({ id: file.replace(/\.js$/, ''), file }));
  const b = (p: string, functions: Record<string, string>) => ({ pathPattern: p, origin: 'o', functions, cachePolicy: 'CachingDisabled' });
  return {
    origins: [{ id: 'o', url: origin.url }],
    functions: fns,
    behaviors: [
      b('/nothing', { 'viewer-request': 'nothing' }),
      b('/event', { 'origin-request': 'event' }),
      b('/request-at-response', { 'viewer-response': 'request-at-response' }),
      b('/nothing-response', { 'origin-response': 'nothing-response' }),
      b('/status*', { 'viewer-response': 'status' }),
    ],
    ...(inspector ? { inspector: { headers: true } } : {}),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-messages-'));
  for (const [file, text] of Object.entries(FUNCTIONS)) await writeFile(path.join(dir, file), text);
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  proxy = await startProxy(config(false), dir);
  inspected = await startProxy(config(true), dir);
});
afterAll(async () => {
  await proxy?.close();
  await inspected?.close();
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

/** The error line of the request that got `r` (the pipeline logs one per failed request). */
function errorLine(p: TestProxy, r: { headers: Record<string, string | string[] | undefined> }): string {
  const lines = p.logs.filter((l) => l.includes(String(r.headers['x-amz-cf-id'])));
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('messages for the usual mistakes', () => {
  it.each([
    ['/nothing', 'did you forget to return the request? End it with return event.Records[0].cf.request (or call callback(null, request))'],
    ['/event', 'the handler returned the whole event; return its request instead: return event.Records[0].cf.request'],
    ['/request-at-response', 'a viewer-response function must return the response, not the request: return event.Records[0].cf.response'],
    ['/nothing-response', 'did you forget to return the response? End it with return event.Records[0].cf.response'],
  ])('%s → 502 LambdaValidationError, and the log says %j', async (p, words) => {
    const r = await send(proxy.url, p);
    expect(r.status).toBe(502);
    expect(r.headers['x-cache']).toBe('LambdaValidationError from cloudfront');
    expect(errorLine(proxy, r)).toContain(words);
    // The page is CloudFront's, and no reason header without --inspector-headers.
    expect(r.text).toContain('<H1>502 ERROR</H1>');
    expect(r.text).not.toContain('forget');
    expect(r.headers['x-edgeproxy-error']).toBeUndefined();
  });

  it('a status change at viewer-response is ignored, and said once per function', async () => {
    const a = await send(proxy.url, '/status-a');
    const b = await send(proxy.url, '/status-b');
    expect([a.status, b.status]).toEqual([200, 200]);
    const notes = proxy.logs.filter((l) => l.includes('CloudFront ignores a status change at viewer-response'));
    expect(notes).toEqual([
      'edgeproxy: viewer-response function "status" set status "404"; CloudFront ignores a status change at viewer-response and keeps 200 ' +
        '(change it at origin-response, or generate the response at viewer-request); said once per function',
    ]);
  });

  it('--inspector-headers: X-Edgeproxy-Error carries the exact reason; the page keeps CloudFront\'s text', async () => {
    const r = await send(inspected.url, '/nothing');
    expect(r.status).toBe(502);
    const reason = String(r.headers['x-edgeproxy-error']);
    expect(reason).toContain('viewer-request');
    expect(reason).toContain('LambdaValidationError');
    expect(reason).toContain('did you forget to return the request?');
    expect(r.text).not.toContain('forget');
    expect(errorLine(inspected, r)).toContain(reason.slice(0, 40));
    const ok = await send(inspected.url, '/status-c');
    expect(ok.status).toBe(200);
    expect(ok.headers['x-edgeproxy-error']).toBeUndefined();
  });
});

describe('docs/errors.md', () => {
  it('lists the read-only headers of each trigger exactly as the validator enforces them', async () => {
    const { READ_ONLY } = await import('../../src/event/validate-result.js');
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    const section = text.slice(text.indexOf('### Read-only headers per trigger'), text.indexOf('## Configuration and command-line errors'));
    const documented = Object.fromEntries(
      [...section.matchAll(/^\| `([a-z-]+)` \| (.*) \|$/gm)].map((m) => [m[1], [...(m[2] ?? '').matchAll(/`([^`]+)`/g)].map((n) => n[1])]),
    );
    expect(documented).toEqual(Object.fromEntries(Object.entries(READ_ONLY).map(([t, names]) => [t, [...names]])));
  });
});
