// invoke(): real worker threads through the runtime, CloudFront's verdict on every kind of result, what
// the viewer would get, the per-call logs, warm reuse and closing.

import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvent, closeWorkers, createInvoker, invoke } from '../../src/testing/index.js';

const FILE = fileURLToPath(new URL('../fixtures/testing/verdicts.mjs', import.meta.url));
const at = (exportName: string): string => `${FILE}#${exportName}`;

afterAll(() => closeWorkers());

describe('invoke: valid results', () => {
  it('a request passed on unchanged: ok, empty diff, the request goes on', async () => {
    const r = await invoke({ file: at('passThrough'), trigger: 'viewer-request', uri: '/a' });
    expect(r.ok).toBe(true);
    expect(r.error).toBeUndefined();
    expect(r.diff).toEqual([]);
    expect(r.request?.uri).toBe('/a');
    expect(r.viewer.status).toBeUndefined();
    expect(r.viewer.summary).toBe('the request goes on to the cache lookup');
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.memorySizeMb).toBe(128);
    expect(r.memoryUsedMb).toBeGreaterThan(0);
  });

  it('the event is the one the worker built from the packed request, equal to buildEvent\'s for the same request', async () => {
    for (const trigger of ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const) {
      const o = { uri: '/p?q=1', headers: { Cookie: 'a=1', 'X-Edgeproxy-CloudFront-Viewer-Country': 'FR' }, body: 'hi', includeBody: trigger.endsWith('request') };
      const r = await invoke({ file: at(trigger.endsWith('request') ? 'passThrough' : 'addResponseHeader'), trigger, ...o });
      expect(r.ok, trigger).toBe(true);
      const requestId = r.event.Records[0].cf.config.requestId;
      const built = await buildEvent(trigger, { ...o, requestId });
      // The origin's Date line is made per call.
      const strip = (e: unknown): unknown => JSON.parse(JSON.stringify(e), (k, v: unknown) => (k === 'date' ? undefined : v));
      expect(strip(r.event), trigger).toEqual(strip(built));
      expect(r.event.Records[0].cf.request.headers['x-edgeproxy-cloudfront-viewer-country'], trigger).toBeUndefined();
    }
  });

  it('the diff lists each change: uri, a header added, one removed', async () => {
    const r = await invoke({ file: FILE, export: 'addHeader', trigger: 'viewer-request', uri: '/x' });
    expect(r.ok).toBe(true);
    expect(r.diff).toEqual([
      { op: 'changed', field: 'uri', before: '/x', after: '/rewritten' },
      { op: 'removed', field: 'headers["accept-language"]', before: ['en-US,en;q=0.9'] },
      { op: 'added', field: 'headers["x-added"]', after: ['yes'] },
    ]);
  });

  it('origin-request: where the request goes next names the origin URL', async () => {
    const r = await invoke({ file: at('addHeader'), trigger: 'origin-request', uri: '/x' });
    expect(r.ok).toBe(true);
    expect(r.viewer.summary).toBe('the request goes on to the origin: GET http://127.0.0.1:3000/rewritten');
  });

  it('a generated response: generated, status and X-Cache the viewer gets', async () => {
    const r = await invoke({ file: at('redirect'), trigger: 'viewer-request' });
    expect(r.ok).toBe(true);
    expect(r.generated).toMatchObject({ status: 302, statusDescription: 'Found', headers: { location: [{ key: 'Location', value: '/elsewhere' }] }, body: '' });
    expect(r.viewer).toMatchObject({ status: 302, xCache: 'LambdaGeneratedResponse' });
  });

  it('a response trigger adding a header: the response and its diff', async () => {
    const r = await invoke({ file: at('addResponseHeader'), trigger: 'origin-response', status: 404 });
    expect(r.ok).toBe(true);
    expect(r.response?.status).toBe(404);
    expect(r.diff).toEqual([{ op: 'added', field: 'headers["cache-control"]', after: ['max-age=60'] }]);
    expect(r.viewer).toMatchObject({ status: 404, xCache: 'Error', summary: 'viewer would get 404 Not Found' });
  });
});

describe('invoke: CloudFront refuses the result (502 LambdaValidationError)', () => {
  const cases: Array<[string, 'viewer-request' | 'viewer-response', string, RegExp]> = [
    ['changeHost', 'viewer-request', 'headers["host"]', /read-only header Host was changed/],
    ['addDisallowed', 'viewer-request', 'headers["x-cache"]', /X-Cache is disallowed/],
    ['badStatus', 'viewer-request', 'status', /status must be an integer 200–599/],
    ['returnsNothing', 'viewer-request', 'result', /returned nothing/],
    ['badUri', 'viewer-request', 'uri', /uri must be a string starting with "\/"/],
    ['upperKey', 'viewer-request', 'headers["X-Upper"]', /must be lowercase/],
    ['tooBig', 'viewer-request', 'body', /the limit is 40960/],
    ['changeVia', 'viewer-response', 'headers["via"]', /read-only header Via was added/],
  ];
  for (const [name, trigger, field, message] of cases) {
    it(`${name} at ${trigger}: field ${field}`, async () => {
      const r = await invoke({ file: at(name), trigger });
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ code: 'LambdaValidationError', status: 502, xCache: 'LambdaValidationError', field });
      expect(r.error?.message).toMatch(message);
      expect(r.viewer.status).toBe(502);
      expect(r.viewer.summary).toBe(`viewer would get 502 LambdaValidationError: ${field}: ${r.error?.message}`);
    });
  }

  it('the diff still shows what the refused result changed', async () => {
    const r = await invoke({ file: at('changeHost'), trigger: 'viewer-request' });
    expect(r.diff).toEqual([{ op: 'changed', field: 'headers["host"]', before: ['127.0.0.1:8080'], after: ['elsewhere.example'] }]);
  });
});

describe('invoke: the function fails (503 LambdaExecutionError)', () => {
  it('a throw: its type and message', async () => {
    const r = await invoke({ file: at('throws'), trigger: 'origin-request' });
    expect(r.ok).toBe(false);
    expect(r.result).toBeUndefined();
    expect(r.error).toMatchObject({ code: 'LambdaExecutionError', status: 503, xCache: 'LambdaExecutionError' });
    expect(r.error?.message).toMatch(/^TypeError: boom \[RequestId: [0-9a-f-]{36}\]$/);
    expect(r.viewer.summary).toMatch(/^viewer would get 503 LambdaExecutionError: TypeError: boom/);
  });

  it('a timeout: Lambda\'s timeout line before END and REPORT', async () => {
    const r = await invoke({ file: at('hangs'), trigger: 'viewer-request', timeout: 0.2 });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('LambdaExecutionError');
    expect(r.error?.message).toMatch(/Task timed out after 0\.2\d seconds/);
    const i = r.logs.findIndex((l) => l.includes('Task timed out'));
    expect(i).toBeGreaterThan(0);
    expect(r.logs[i + 1]).toMatch(/^END RequestId: /);
    expect(r.logs[i + 2]).toMatch(/^REPORT RequestId: .*Status: timeout/);
  });

  it('a missing export: the runtime\'s own error', async () => {
    const r = await invoke({ file: at('nope'), trigger: 'viewer-request' });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('LambdaExecutionError');
    expect(r.error?.message).toMatch(/nope/);
  });
});

describe('invoke: logs, warm workers, closing', () => {
  it('START, the console lines, END, REPORT of this call only, in order; nothing printed', async () => {
    const writes: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let r: Awaited<ReturnType<typeof invoke>>;
    try {
      r = await invoke({ file: at('logs'), trigger: 'viewer-request', uri: '/logged' });
    } finally {
      process.stdout.write = write;
    }
    expect(writes.filter((w) => w.includes('RequestId'))).toEqual([]);
    const id = r.awsRequestId as string;
    expect(r.logs[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(r.logs[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\thello from /logged$`));
    expect(r.logs[2]).toMatch(new RegExp(`\\t${id}\\tWARN\\ta warning$`));
    expect(r.logs[3]).toBe(`END RequestId: ${id}`);
    expect(r.logs[4]).toMatch(new RegExp(`^REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`));
    expect(r.logs).toHaveLength(5);
  });

  it('the second call on a file runs in the warm worker: no init, module state kept', async () => {
    await using kit = createInvoker();
    const first = await kit.invoke({ file: at('counter'), trigger: 'viewer-request' });
    const second = await kit.invoke({ file: at('counter'), trigger: 'viewer-request' });
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.logs.at(-1)).toMatch(/Init Duration: /);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.logs.at(-1)).not.toMatch(/Init Duration/);
    expect(first.request?.headers['x-calls']?.[0]?.value).toBe('1');
    expect(second.request?.headers['x-calls']?.[0]?.value).toBe('2');
  });

  it('a memory size of its own gets a worker of its own', async () => {
    await using kit = createInvoker();
    const small = await kit.invoke({ file: at('counter'), trigger: 'viewer-request' });
    const big = await kit.invoke({ file: at('counter'), trigger: 'viewer-request', memorySize: 256 });
    expect(big.memorySizeMb).toBe(256);
    expect(big.logs.at(-1)).toMatch(/Memory Size: 256 MB/);
    expect(big.initDurationMs).toBeGreaterThan(0);
    expect(small.request?.headers['x-calls']?.[0]?.value).toBe('1');
    expect(big.request?.headers['x-calls']?.[0]?.value).toBe('1');
  });

  it('close() ends the workers; a later call on that invoker says so; closeWorkers() lets invoke() start afresh', async () => {
    const kit = createInvoker();
    await kit.invoke({ file: at('counter'), trigger: 'viewer-request' });
    await kit.close();
    await expect(kit.invoke({ file: at('counter'), trigger: 'viewer-request' })).rejects.toThrow(/after close/);
    await invoke({ file: at('counter'), trigger: 'viewer-request' });
    await closeWorkers();
    const again = await invoke({ file: at('counter'), trigger: 'viewer-request' });
    expect(again.initDurationMs).toBeGreaterThan(0);
    expect(again.request?.headers['x-calls']?.[0]?.value).toBe('1');
  });

  it('a usage error is thrown, not a verdict: an unknown trigger, a missing file', async () => {
    await expect(invoke({ file: FILE, trigger: 'viewer-requets' as 'viewer-request' })).rejects.toThrow(/trigger: expected one of viewer-request/);
    await expect(invoke({ file: '/nonexistent/fn.js', trigger: 'viewer-request' })).rejects.toThrow(/file not found: \/nonexistent\/fn\.js/);
  });
});

describe('invoke with a config', () => {
  it("a function of the config runs with the config's memory size and timeout, in the config's distribution", async () => {
    const config = {
      distributionId: 'ECONFIGTEST',
      origins: [{ id: 'api', url: 'https://api.example.com/v2' }],
      functions: [{ id: 'slow', file: FILE, export: 'hangs', memorySize: 256, timeout: 0.3 }],
      behaviors: [{ pathPattern: '*', origin: 'api', functions: { 'origin-request': 'slow' } }],
    };
    const r = await invoke({ file: `${FILE}#hangs`, trigger: 'origin-request', config });
    expect(r.memorySizeMb).toBe(256);
    expect(r.event.Records[0].cf.config.distributionId).toBe('ECONFIGTEST');
    expect(r.event.Records[0].cf.request.origin?.custom?.domainName).toBe('api.example.com');
    // The config's 0.3 s, not origin-request's 30 s default.
    expect(r.error?.message).toMatch(/Task timed out after 0\.3\d seconds/);
  });
});
