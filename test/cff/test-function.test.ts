// testFunction() / `edgeproxy test-function`: one run in a real worker thread, printed in the shape
// `aws cloudfront test-function` prints (TestResult), plus edgeproxy's extensions.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli-args.js';
import { testFunction } from '../../src/cff/test-function.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-testfn-'));
  await writeFile(
    path.join(dir, 'rewrite.js'),
    `import cf from 'cloudfront';
async function handler(event) {
  const r = event.request;
  const token = await cf.kvs().get('token').catch(() => 'none');
  console.log('rewrote ' + r.uri + ' at ' + new Date().toISOString());
  if (r.uri === '/bad') r.headers['x-cache'] = { value: 'x' };
  if (r.uri === '/gen') return { statusCode: 302, headers: { location: { value: '/x' } } };
  if (r.uri === '/throw') throw new TypeError('nope');
  if (r.uri === '/origin') cf.updateRequestOrigin({ domainName: 'api.example.com' });
  r.uri = r.uri.endsWith('/') ? r.uri + 'index.html' : r.uri;
  r.headers['x-token'] = { value: token };
  return r;
}
`,
  );
  await writeFile(path.join(dir, 'kvs.json'), JSON.stringify({ data: [{ key: 'token', value: 's3cr3t' }] }));
  await writeFile(path.join(dir, 'let.js'), '// cloudfront-js-1.0\nfunction handler(e) {\n  let x = 1;\n  return e.request;\n}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (uri: string) => ({ request: { method: 'GET', uri, headers: { host: { value: 'www.example.com' } } } });

describe('testFunction', () => {
  it('prints TestResult: FunctionOutput as a JSON string with {} collections, the logs, ComputeUtilization as a string', async () => {
    const now = Date.UTC(2026, 0, 5, 10, 0, 0);
    const out = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/docs/'), kvsFile: path.join(dir, 'kvs.json'), nowMs: now });
    const t = out.TestResult;
    expect(t.FunctionErrorMessage).toBe('');
    expect(JSON.parse(t.FunctionOutput)).toEqual({
      request: { method: 'GET', uri: '/docs/index.html', querystring: {}, headers: { host: { value: 'www.example.com' }, 'x-token': { value: 's3cr3t' } }, cookies: {} },
    });
    expect(t.FunctionExecutionLogs).toEqual(['rewrote /docs/ at 2026-01-05T10:00:00.000Z']);
    expect(t.ComputeUtilization).toMatch(/^(100|[1-9]?[0-9])$/);
    expect(t.FunctionSummary).toMatchObject({ Name: 'rewrite', Status: 'UNPUBLISHED', FunctionConfig: { Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: { Quantity: 1 } }, FunctionMetadata: { Stage: 'DEVELOPMENT', CreatedTime: '2026-01-05T10:00:00.000Z' } });
    expect(out.Extensions.edgeproxy).toMatchObject({ validation: 'ok', kvsReads: 1, originCalls: [] });
  });

  it('a generated response is {"response": …}; an error sets FunctionErrorMessage and leaves FunctionOutput empty', async () => {
    const gen = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/gen'), kvsFile: path.join(dir, 'kvs.json') });
    expect(JSON.parse(gen.TestResult.FunctionOutput)).toEqual({ response: { statusCode: 302, headers: { location: { value: '/x' } }, cookies: {} } });
    const err = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/throw'), kvsFile: path.join(dir, 'kvs.json') });
    expect(err.TestResult.FunctionErrorMessage).toBe('TypeError: nope');
    expect(err.TestResult.FunctionOutput).toBe('');
  });

  it("says what CloudFront's test would not: the result breaks a rule, or changes the origin", async () => {
    const bad = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/bad'), kvsFile: path.join(dir, 'kvs.json') });
    expect(bad.TestResult.FunctionErrorMessage).toBe('');
    expect(bad.Extensions.edgeproxy.validation).toBe('FunctionValidationError: headers["x-cache"]: header X-Cache is disallowed: a function cannot add it');
    const origin = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/origin'), kvsFile: path.join(dir, 'kvs.json') });
    expect(origin.Extensions.edgeproxy.originCalls).toEqual([{ helper: 'updateRequestOrigin', args: [{ domainName: 'api.example.com' }] }]);
  });

  it('cf.kvs() without a store is an execution error (KVSNamespaceNotFound)', async () => {
    const out = await testFunction({ file: path.join(dir, 'rewrite.js'), runtime: 'cloudfront-js-2.0', event: event('/x') });
    expect(out.TestResult.FunctionErrorMessage).toBe('KVSNamespaceNotFound: This function has no key value store associated');
  });

  it('refuses code the runtime lacks, as CloudFront refuses it before any test', async () => {
    await expect(testFunction({ file: path.join(dir, 'let.js'), runtime: 'cloudfront-js-1.0', event: event('/') })).rejects.toThrow(/let\.js:3:3: error \[let\]/);
  });
});

describe('edgeproxy test-function', () => {
  it('parses its options and names a bad one', () => {
    expect(parseCliArgs(['test-function', 'f.js', '--event', 'e.json', '--runtime', '1.0', '--now', '2026-01-05T10:00:00Z'])).toEqual({
      kind: 'test-function', file: 'f.js', eventFile: 'e.json', runtime: 'cloudfront-js-1.0', stage: 'DEVELOPMENT', strict: false, nowMs: Date.UTC(2026, 0, 5, 10),
    });
    expect(() => parseCliArgs(['test-function', 'f.js'])).toThrow('--event: required');
    expect(() => parseCliArgs(['test-function', 'f.js', '--event', 'e', '--runtime', '3.0'])).toThrow('--runtime: expected 1.0 or 2.0');
  });

  it('prints the TestResult JSON; the runtime comes from the first-line comment', async () => {
    await writeFile(path.join(dir, 'ev.json'), JSON.stringify(event('/a/')));
    const stdout = execFileSync(process.execPath, [CLI, 'test-function', path.join(dir, 'rewrite.js'), '--event', path.join(dir, 'ev.json'), '--kvs', path.join(dir, 'kvs.json')], { encoding: 'utf8', timeout: 20_000 });
    const out = JSON.parse(stdout) as { TestResult: { FunctionOutput: string; FunctionSummary: { FunctionConfig: { Runtime: string } } } };
    expect(JSON.parse(out.TestResult.FunctionOutput).request.uri).toBe('/a/index.html');
    expect(out.TestResult.FunctionSummary.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [CLI, 'test-function', path.join(dir, 'let.js'), '--event', path.join(dir, 'ev.json')], { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/let\.js:3:3: error \[let\]: cloudfront-js-1\.0 does not support 'let'/);
  });
});
