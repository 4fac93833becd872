// Logs a person can read: each function's START/END/REPORT and console lines name the function and
// trigger in text mode, one info line per request (method, path, status, X-Cache, duration, the
// functions that ran), nothing of either at --log-level warn, and JSON objects with --log-format json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { createLogger, functionPrefix, type LogStream } from '../../src/log.js';
import { send, startOrigin, type TestOrigin } from '../helpers.js';

function sink(): LogStream & { text: string } {
  const s = { text: '', isTTY: false, write: (c: string) => void (s.text += c) };
  return s;
}

let dir: string;
let origin: TestOrigin;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-loglines-'));
  await writeFile(path.join(dir, 'auth.js'), "exports.handler = async (e) => { console.log('checked'); return e.Records[0].cf.request; };\n");
  await writeFile(path.join(dir, 'headers.js'), 'exports.handler = async (e) => e.Records[0].cf.response;\n');
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'content-length': '2' });
    res.end('ok');
  });
});
afterAll(async () => {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

async function proxyWith(format: 'text' | 'json', level: 'info' | 'warn'): Promise<{ proxy: EdgeProxy; out: ReturnType<typeof sink>; err: ReturnType<typeof sink> }> {
  const config = await loadConfig({
    object: {
      listen: { host: '127.0.0.1', port: 0 },
      origins: [{ id: 'o', url: origin.url }],
      functions: [
        { id: 'auth', file: 'auth.js' },
        { id: 'headers', file: 'headers.js' },
      ],
      behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'auth', 'viewer-response': 'headers' } }],
    },
    baseDir: dir,
  });
  const out = sink();
  const err = sink();
  const proxy = await startEdgeProxy({ config, log: createLogger({ format, level, out, err }), stateDir: path.join(dir, '.edgeproxy') });
  return { proxy, out, err };
}

/** Response-close runs the observer after the client has its answer: wait for the line. */
async function waitFor(s: { text: string }, re: RegExp): Promise<void> {
  const until = Date.now() + 5_000;
  while (!re.test(s.text) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('function lines name the function and trigger (text)', () => {
  it('prefixes platform and console lines; a flags-made id is not repeated; other lines are untouched', () => {
    expect(functionPrefix({ type: 'platform', function: 'auth', trigger: 'viewer-request' })).toBe('auth viewer-request │ ');
    expect(functionPrefix({ type: 'function', function: 'auth.js:viewer-request', trigger: 'viewer-request' })).toBe('auth.js:viewer-request │ ');
    expect(functionPrefix({ type: 'platform', function: 'auth' })).toBe('auth │ ');
    expect(functionPrefix({ type: 'request', function: 'auth' })).toBe('');
    expect(functionPrefix(undefined)).toBe('');
    const out = sink();
    createLogger({ out }).info('START RequestId: x Version: 1', { type: 'platform', function: 'auth', trigger: 'viewer-request' });
    expect(out.text).toBe('auth viewer-request │ START RequestId: x Version: 1\n');
    const json = sink();
    createLogger({ format: 'json', out: json }).info('START RequestId: x Version: 1', { type: 'platform', function: 'auth', trigger: 'viewer-request' });
    expect(JSON.parse(json.text)).toMatchObject({ message: 'START RequestId: x Version: 1', function: 'auth', trigger: 'viewer-request' });
  });
});

describe('one line per request, through the real proxy', () => {
  it('text: START/END/REPORT and console lines carry the function, then one request line with X-Cache and the functions', async () => {
    const { proxy, out } = await proxyWith('text', 'info');
    try {
      expect((await send(proxy.url, '/a?x=1')).status).toBe(200);
      await waitFor(out, /^GET \/a\?x=1 /m);
      const lines = out.text.trimEnd().split('\n');
      const fnLines = lines.filter((l) => /RequestId|checked/.test(l));
      expect(fnLines.filter((l) => l.startsWith('auth viewer-request │ '))).toHaveLength(4); // START, console, END, REPORT
      expect(fnLines.filter((l) => l.startsWith('headers viewer-response │ '))).toHaveLength(3);
      expect(fnLines.every((l) => / │ /.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith('GET '))).toEqual([
        expect.stringMatching(/^GET \/a\?x=1 200 Miss \d+(\.\d)? ms · viewer-request=auth:\$LATEST, viewer-response=headers:\$LATEST$/),
      ]);
      expect((await send(proxy.url, '/a?x=1')).headers['x-cache']).toBe('Hit from cloudfront');
      await waitFor(out, /^GET \/a\?x=1 200 Hit /m);
      expect(out.text).toMatch(/^GET \/a\?x=1 200 Hit \d+(\.\d)? ms · viewer-request=auth:\$LATEST, viewer-response=headers:\$LATEST$/m);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('--log-level warn: no request line, no START/END/REPORT', async () => {
    const { proxy, out, err } = await proxyWith('text', 'warn');
    try {
      expect((await send(proxy.url, '/b')).status).toBe(200);
      expect((await send(proxy.url, '/b')).headers['x-cache']).toBe('Hit from cloudfront');
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await proxy.close();
    }
    expect(out.text).toBe('');
    expect(err.text).not.toMatch(/RequestId|GET \/b/);
  }, 30_000);

  it('json: the request line is an object with its facts', async () => {
    const { proxy, out } = await proxyWith('json', 'info');
    let cfId: string | string[] | undefined;
    try {
      const r = await send(proxy.url, '/c');
      cfId = r.headers['x-amz-cf-id'];
      await waitFor(out, /"type":"request"/);
    } finally {
      await proxy.close();
    }
    const objects = out.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = objects.filter((o) => o.type === 'request');
    expect(request).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        url: '/c',
        status: 200,
        xCache: 'Miss',
        functions: 'viewer-request=auth:$LATEST, viewer-response=headers:$LATEST',
        cfRequestId: cfId,
        completed: true,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(objects.filter((o) => o.type === 'platform').every((o) => typeof o.trigger === 'string')).toBe(true);
  }, 30_000);
});
