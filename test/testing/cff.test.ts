// invoke() with a CloudFront Function: picked by its runtime comment as the proxy picks it, run by the
// proxy's CloudFront Functions host, judged by CloudFront Functions' rules, with TestFunction's fields.

import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkers, invoke } from '../../src/testing/index.js';

const FILE = fileURLToPath(new URL('../fixtures/testing/cff-rewrite.js', import.meta.url));
const LAMBDA = fileURLToPath(new URL('../fixtures/testing/verdicts.mjs', import.meta.url));

afterAll(() => closeWorkers());

describe('invoke: CloudFront Functions', () => {
  it('a rewrite: the CloudFront Functions event, the request that goes on, the diff, the logs, TestFunction fields', async () => {
    const r = await invoke({ file: FILE, trigger: 'viewer-request', uri: '/docs/', headers: { 'X-Edgeproxy-Ignored': '1' } });
    expect(r.ok).toBe(true);
    expect(r.version).toBe('cloudfront-js-2.0');
    expect(r.cff?.event).toMatchObject({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '203.0.113.10' }, request: { method: 'GET', uri: '/docs/' } });
    expect(r.cff?.event.request.headers['host']).toEqual({ value: '127.0.0.1:8080' });
    expect(r.request?.uri).toBe('/docs/index.html');
    expect(r.diff).toEqual([
      { op: 'changed', field: 'uri', before: '/docs/', after: '/docs/index.html' },
      { op: 'added', field: 'headers["x-rewritten"]', after: ['yes'] },
    ]);
    const id = r.event.Records[0].cf.config.requestId;
    expect(r.logs).toEqual([`${id} START DistributionID: EDFDVBD6EXAMPLE`, `${id} uri /docs/`, `${id} END`]);
    expect(r.cff?.testResult.FunctionExecutionLogs).toEqual(['uri /docs/']);
    expect(JSON.parse(r.cff?.testResult.FunctionOutput ?? '{}')).toMatchObject({ request: { uri: '/docs/index.html' } });
    expect(Number(r.cff?.testResult.ComputeUtilization)).toBeGreaterThanOrEqual(0);
  });

  it('a generated response: X-Cache FunctionGeneratedResponse', async () => {
    const r = await invoke({ file: FILE, trigger: 'viewer-request', uri: '/old' });
    expect(r.generated).toMatchObject({ status: 301, statusDescription: 'Moved Permanently', headers: { location: [{ value: '/new' }] } });
    expect(r.viewer).toMatchObject({ status: 301, xCache: 'FunctionGeneratedResponse' });
  });

  it('a result CloudFront refuses: 502 FunctionValidationError with the field', async () => {
    const r = await invoke({ file: FILE, trigger: 'viewer-request', uri: '/host' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'FunctionValidationError', status: 502, xCache: 'FunctionValidationError', field: 'headers["host"]' });
    expect(r.viewer.summary).toMatch(/^viewer would get 502 FunctionValidationError: headers\["host"\]: /);
  });

  it('a throw: 503 FunctionExecutionError, and TestFunction\'s FunctionErrorMessage', async () => {
    const r = await invoke({ file: FILE, trigger: 'viewer-request', uri: '/throw' });
    expect(r.error).toMatchObject({ code: 'FunctionExecutionError', status: 503 });
    expect(r.error?.message).toMatch(/^TypeError: no such thing/);
    expect(r.cff?.testResult.FunctionErrorMessage).toBe('TypeError: no such thing');
  });

  it('viewer-response with an injected clock', async () => {
    const r = await invoke({ file: FILE, trigger: 'viewer-response', status: 200, nowMs: Date.parse('2026-01-05T10:00:00Z') });
    expect(r.ok).toBe(true);
    expect(r.response?.headers['x-served-at']?.[0]?.value).toBe(String(Date.parse('2026-01-05T10:00:00Z')));
    expect(r.diff).toContainEqual({ op: 'added', field: 'headers["x-served-at"]', after: [String(Date.parse('2026-01-05T10:00:00Z'))] });
  });

  it('cff: true makes a file without the comment one; a CloudFront Function at an origin trigger is a usage error', async () => {
    await expect(invoke({ file: FILE, trigger: 'origin-request' })).rejects.toThrow(/is a CloudFront Function \(cloudfront-js-2\.0\); they run at viewer-request and viewer-response only/);
    // The Lambda@Edge fixture is an ES module with exports: CloudFront's feature check refuses it.
    await expect(invoke({ file: `${LAMBDA}#passThrough`, trigger: 'viewer-request', cff: true })).rejects.toThrow(/verdicts\.mjs/);
  });
});
