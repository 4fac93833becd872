// A CDK app synthesized by the test itself (aws-cdk-lib, in process: `new App({ outdir })` …
// `app.synth()`, no CDK CLI, no network) — the example of docs/import.md — imported from its
// cdk.out and run through the real proxy: each behavior's request reaches its mapped origin with
// the synthesized policies, the CloudFront Function (with its key value store) and the edge Lambda.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { importDistribution, type Imported } from '../../src/import/index.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';

const APP = path.join(FIXTURES, 'import', 'cdk-app', 'site-stack.mjs');
const DOCS = path.resolve(import.meta.dirname, '../../docs/import.md');

let out: string;
let work: string;
let site: TestOrigin;
let api: TestOrigin;
let proxy: EdgeProxy;
let imported: Imported;
const log = memoryLogger();

function header(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cdk-out-'));
  work = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cdk-work-'));
  // The app as `cdk synth` runs it, minus the CLI: without the CLI's asset metadata, so the import
  // finds the Lambda asset and the store's data by their S3 object keys (asset.HASH in cdk.out).
  const cdk = await import('aws-cdk-lib');
  const { siteStack } = (await import(APP)) as { siteStack: (app: InstanceType<typeof cdk.App>) => unknown };
  const app = new cdk.App({ outdir: out });
  siteStack(app);
  app.synth();
  site = await startOrigin((req, res) => {
    const body = `site ${req.url}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  api = await startOrigin((req, res) => {
    const body = `api ${req.url}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await site?.close();
  await api?.close();
  if (out !== undefined) await rm(out, { recursive: true, force: true });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('import: a CDK app synthesized by aws-cdk-lib', () => {
  it('docs/import.md shows the app this test synthesizes', () => {
    const app = readFileSync(APP, 'utf8');
    const body = app.slice(app.indexOf('import path'));
    expect(readFileSync(DOCS, 'utf8')).toContain(body);
  });

  it('imports cdk.out/SiteStack.template.json: origins by domain, the template policies, the CloudFront Function and its store, the edge Lambda', async () => {
    imported = await importDistribution({
      file: path.join(out, 'SiteStack.template.json'),
      originMap: new Map([['www.example.com', site.url], ['api.example.com', api.url]]),
      functionMap: new Map(),
      workDir: work,
    });
    const c = imported.config;
    expect(c.origins.map((o) => o.url)).toEqual([site.url, `${api.url}/prod`]);
    const [apiB, defB] = c.behaviors ?? [];
    expect(apiB?.pathPattern).toBe('/api/*');
    expect(apiB?.cachePolicy).toMatchObject({ defaultTTL: 30, maxTTL: 300, queryStrings: { behavior: 'whitelist', names: ['page'] }, headers: { behavior: 'whitelist', names: ['X-Tenant'] } });
    expect(apiB?.allowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(defB?.responseHeadersPolicy).toMatchObject({ customHeadersConfig: [{ header: 'X-Served-By', value: 'edge', override: true }] });
    const vr = defB?.functions?.['viewer-request'];
    const cff = c.functions?.find((f) => f.id === vr);
    expect(cff?.runtime).toBe('cloudfront-js-2.0');
    expect(c.keyValueStores).toHaveLength(1);
    expect(cff?.keyValueStore).toBe(c.keyValueStores?.[0]?.name);
    expect(c.keyValueStores?.[0]?.file).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/asset\\.[0-9a-f]{64}\\.json$`));
    const or = defB?.functions?.['origin-response'];
    expect(typeof or === 'object' ? c.functions?.find((f) => f.id === or.function)?.file : undefined).toMatch(/asset\.[0-9a-f]{64}\/index\.js$/);
    // What CDK writes that does not run locally is listed, not dropped.
    const fields = imported.notEmulated.map((n) => n.field);
    expect(fields).toContain(`Origins[${c.origins[0]?.id}].CustomOriginConfig`);
    expect(fields.filter((f) => f.includes('Association'))).toEqual([]);
    const config = await loadConfig({ object: { ...c, listen: { host: '127.0.0.1', port: 0 } } });
    proxy = await startEdgeProxy({ config, log });
  });

  it('default behavior: the site origin, the CloudFront Function rewrites /old from its store, the edge Lambda and the response headers policy', async () => {
    const r = await send(proxy.url, '/old');
    expect(r.status, log.lines.join('\n')).toBe(200);
    expect(r.text).toBe('site /new.html');
    expect(r.headers['x-origin-response']).toBe('ran');
    expect(r.headers['x-served-by']).toBe('edge');
    const other = await send(proxy.url, '/index.html');
    expect(other.text).toBe('site /index.html');
  });

  it('/api/*: the api origin under /prod, keyed on page and X-Tenant, POST allowed', async () => {
    const before = api.hits;
    const a = await send(proxy.url, '/api/list?page=1&sort=a', { headers: { 'x-tenant': 't1' } });
    expect(a.status).toBe(200);
    expect(api.requests.at(-1)?.url).toBe('/prod/api/list?page=1'); // no origin request policy: the cache key only
    expect(header(api.requests.at(-1)?.rawHeaders ?? [], 'x-tenant')).toBe('t1');
    const b = await send(proxy.url, '/api/list?page=1&sort=b', { headers: { 'x-tenant': 't1' } });
    expect(b.headers['x-cache']).toMatch(/^Hit/);
    const c = await send(proxy.url, '/api/list?page=1', { headers: { 'x-tenant': 't2' } });
    expect(c.headers['x-cache']).toMatch(/^Miss/);
    const p = await send(proxy.url, '/api/items', { method: 'POST', body: 'x' });
    expect(p.status).toBe(200);
    expect(api.requests.at(-1)?.method).toBe('POST');
    expect(api.hits - before).toBe(3);
  });
});
