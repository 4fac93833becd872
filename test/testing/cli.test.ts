// `edgeproxy event` and `edgeproxy invoke` as a user runs them: the built CLI in a child process, its
// output and its exit status (0 valid, 1 failed or invalid, 2 usage), plus the pure argument parsing.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli-args.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const VERDICTS = path.join(ROOT, 'test', 'fixtures', 'testing', 'verdicts.mjs');

function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-invoke-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edgeproxy event', () => {
  it('prints the event as JSON, with the options applied', async () => {
    const r = await cli(['event', 'origin-request', '--uri', '/about?x=1', '--header', 'Cookie: a=1', '--header', 'Accept-Language:', '--client-ip', '198.51.100.1']);
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.stdout) as { Records: [{ cf: { config: { eventType: string }; request: { uri: string; querystring: string; clientIp: string; headers: Record<string, unknown> } } }] };
    const { config, request } = ev.Records[0].cf;
    expect(config.eventType).toBe('origin-request');
    expect(request).toMatchObject({ uri: '/about', querystring: 'x=1', clientIp: '198.51.100.1' });
    expect(request.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1' }]);
    expect(request.headers['accept-language']).toBeUndefined();
    expect(request.headers['x-forwarded-for']).toEqual([{ key: 'X-Forwarded-For', value: '198.51.100.1' }]);
  });

  it('--config and --behavior: the config\'s origin-side headers and origin.custom', async () => {
    const config = path.join(dir, 'edgeproxy.config.json');
    await writeFile(
      config,
      JSON.stringify({
        origins: [
          { id: 'site', url: 'http://127.0.0.1:3000' },
          { id: 'api', url: 'https://api.example.com/v1', customHeaders: { 'X-Api-Key': 'k' } },
        ],
        behaviors: [
          { pathPattern: '/api/*', origin: 'api', originRequestPolicy: 'AllViewerExceptHostHeader' },
          { pathPattern: '*', origin: 'site' },
        ],
      }),
    );
    const r = await cli(['event', 'origin-request', '--config', config, '--uri', '/api/users']);
    expect(r.code).toBe(0);
    const req = (JSON.parse(r.stdout) as { Records: [{ cf: { request: { headers: Record<string, unknown>; origin: unknown } } }] }).Records[0].cf.request;
    expect(req.headers.host).toEqual([{ key: 'Host', value: 'api.example.com' }]);
    expect(req.origin).toMatchObject({ custom: { domainName: 'api.example.com', port: 443, protocol: 'https', path: '/v1', customHeaders: { 'x-api-key': [{ key: 'X-Api-Key', value: 'k' }] } } });
    const named = await cli(['event', 'origin-request', '--config', config, '--behavior', '*', '--uri', '/api/users']);
    const named0 = (JSON.parse(named.stdout) as { Records: [{ cf: { request: { origin: { custom: { domainName: string } } } } }] }).Records[0].cf.request;
    expect(named0.origin.custom.domainName).toBe('127.0.0.1');
  });

  it('a usage error exits 2 with one line naming the flag', async () => {
    const r = await cli(['event', 'viewer-reqest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown trigger "viewer-reqest" \(did you mean "viewer-request"\?\)/);
    const bad = await cli(['event', 'viewer-request', '--header', 'no colon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--header: expected 'Name: value', got "no colon"/);
  });
});

describe('edgeproxy invoke', () => {
  it('a valid result: exit 0; logs, result, diff, verdict, duration and memory', async () => {
    const r = await cli(['invoke', path.join(ROOT, 'functions', 'directory-index.js'), '--trigger', 'origin-request', '--uri', '/about']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(r.stdout).toMatch(/^END RequestId: /m);
    expect(r.stdout).toMatch(/^REPORT RequestId: .*\tDuration: [\d.]+ ms\t.*Init Duration: /m);
    expect(r.stdout).toContain('~ uri: "/about" → "/about/index.html"');
    expect(r.stdout).toContain('valid: CloudFront accepts the result');
    expect(r.stdout).toContain('the request goes on to the origin: GET http://127.0.0.1:3000/about/index.html');
    expect(r.stdout).toMatch(/^duration [\d.]+ ms \(cold start, init [\d.]+ ms\); memory \d+ MB used of 128 MB$/m);
  });

  it('an invalid result: exit 1 and what the viewer would get', async () => {
    const r = await cli(['invoke', `${VERDICTS}#changeVia`, '--trigger', 'viewer-response']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid: CloudFront refuses the result at headers["via"]');
    expect(r.stdout).toContain('viewer would get 502 LambdaValidationError: headers["via"]: read-only header Via was added (AWS rule: read-only headers, viewer-response)');
  });

  it('a throw and a timeout: exit 1, 503', async () => {
    const thrown = await cli(['invoke', `${VERDICTS}#throws`, '--trigger', 'viewer-request']);
    expect(thrown.code).toBe(1);
    expect(thrown.stdout).toMatch(/viewer would get 503 LambdaExecutionError: TypeError: boom/);
    const slow = await cli(['invoke', `${VERDICTS}#hangs`, '--trigger', 'origin-request', '--timeout', '0.3']);
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/Task timed out after 0\.3\d seconds/);
  });

  it('--event FILE and --json: the whole result as JSON', async () => {
    const ev = await cli(['event', 'viewer-request', '--uri', '/old-blog/hello/']);
    const file = path.join(dir, 'event.json');
    await writeFile(file, ev.stdout);
    const r = await cli(['invoke', path.join(ROOT, 'functions', 'redirect.js'), '--trigger', 'viewer-request', '--event', file, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; generated: { status: number; headers: Record<string, unknown> }; event: unknown; logs: string[] };
    expect(out.ok).toBe(true);
    expect(out.generated.status).toBe(301);
    expect(out.generated.headers.location).toEqual([{ key: 'Location', value: 'http://127.0.0.1:8080/blog/hello/' }]);
    expect(out.event).toEqual(JSON.parse(ev.stdout));
    expect(out.logs).toHaveLength(3);
  });

  it('a CloudFront Function (its runtime comment): exit 0, the TestFunction fields, --now', async () => {
    const r = await cli(['invoke', path.join(ROOT, 'test', 'fixtures', 'testing', 'cff-rewrite.js'), '--trigger', 'viewer-response', '--now', '2026-01-05T10:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('── aws cloudfront test-function fields');
    expect(r.stdout).toContain('"ComputeUtilization"');
    expect(r.stdout).toContain(`+ headers["x-served-at"]: "${Date.parse('2026-01-05T10:00:00Z')}"`);
    expect(r.stdout).toMatch(/^duration [\d.]+ ms; ComputeUtilization \d+$/m);
    const bad = await cli(['invoke', path.join(ROOT, 'test', 'fixtures', 'testing', 'cff-rewrite.js'), '--trigger', 'viewer-request', '--uri', '/host']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/viewer would get 502 FunctionValidationError: headers\["host"\]/);
  });

  it('usage errors exit 2: no trigger, a missing file, a bad --memory, an event file that is not JSON', async () => {
    const noTrigger = await cli(['invoke', VERDICTS]);
    expect(noTrigger.code).toBe(2);
    expect(noTrigger.stderr).toMatch(/--trigger: give the trigger/);
    const missing = await cli(['invoke', path.join(dir, 'nope.js'), '--trigger', 'viewer-request']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file not found/);
    const memory = await cli(['invoke', VERDICTS, '--trigger', 'viewer-request', '--memory', '64']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/--memory: expected MB 128-10240, got "64"/);
    const notJson = path.join(dir, 'bad.json');
    await writeFile(notJson, '{ nope');
    const bad = await cli(['invoke', VERDICTS, '--trigger', 'viewer-request', '--event', notJson]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--event: .*bad\.json is not JSON/);
  });
});

describe('parsing', () => {
  it('invoke FILE#export with the event options', () => {
    const cmd = parseCliArgs(['invoke', 'f.js#run', '--trigger', 'origin-response', '--status', '404', '--response-header', 'X-A: 1', '--response-header', 'x-a: 2', '--memory', '256', '--timeout', '2.5']);
    expect(cmd).toEqual({
      kind: 'invoke',
      file: 'f.js#run',
      trigger: 'origin-response',
      eventFile: undefined,
      json: false,
      options: { status: 404, responseHeaders: { 'X-A': ['1', '2'] }, memorySize: 256, timeout: 2.5 },
    });
  });

  it('help for both commands', () => {
    expect(parseCliArgs(['event', '--help'])).toEqual({ kind: 'help', topic: 'event' });
    expect(parseCliArgs(['invoke', '-h'])).toEqual({ kind: 'help', topic: 'invoke' });
  });
});
