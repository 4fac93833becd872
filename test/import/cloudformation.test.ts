// CloudFormation templates (YAML with short-form tags, and the same template in JSON) imported and
// run through the real proxy: Ref / Fn::GetAtt / Fn::Sub / Fn::Join resolved to the template's
// policies, functions (inline code and a CDK-style asset) and parameters.
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { importDistribution } from '../../src/import/index.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';

const YAML = path.join(FIXTURES, 'import', 'cdk.out', 'template.yaml');
const JSON_TEMPLATE = path.join(FIXTURES, 'import', 'cdk.out', 'template.json');
let site: TestOrigin;
let api: TestOrigin;
let proxy: EdgeProxy;
let work: string;

function header(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

const maps = (): { originMap: Map<string, string>; functionMap: Map<string, never> } => ({
  originMap: new Map([['site', site.url], ['api.example.com', api.url]]),
  functionMap: new Map(),
});

beforeAll(async () => {
  site = await startOrigin((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '4' });
    res.end('site');
  });
  api = await startOrigin();
  work = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cfn-'));
});
afterAll(async () => {
  await proxy?.close();
  await site?.close();
  await api?.close();
  await rm(work, { recursive: true, force: true });
});

describe('import: CloudFormation', () => {
  it('YAML and JSON forms of one template import to the same config', async () => {
    const y = await importDistribution({ file: YAML, logicalId: 'Site', workDir: work, ...maps() });
    const j = await importDistribution({ file: JSON_TEMPLATE, logicalId: 'Site', workDir: work, ...maps() });
    expect(y.kind).toBe('cloudformation');
    expect(j.config).toEqual(y.config);
    const [apiB, defB] = y.config.behaviors ?? [];
    expect(y.config.origins[1]).toEqual({ id: 'api', url: `${api.url}/prod`, customHeaders: { 'X-Api-Key': 'key-123456789012' }, readTimeout: 20, sslProtocols: ['TLSv1.2'] });
    expect(apiB?.cachePolicy).toMatchObject({ name: 'edgeproxy-local-api', defaultTTL: 30, queryStrings: { behavior: 'whitelist', names: ['page'] } });
    expect(apiB?.originRequestPolicy).toMatchObject({ name: 'api-origin', queryStrings: { behavior: 'all' } });
    expect(defB?.responseHeadersPolicy).toMatchObject({ name: 'site-headers', customHeadersConfig: [{ header: 'X-Served-By', value: 'edge-us-east-1', override: true }] });
    expect(y.notEmulated.map((n) => n.field)).toContain('DefaultCacheBehavior.FunctionAssociations');
    const config = await loadConfig({ object: { ...y.config, listen: { host: '127.0.0.1', port: 0 } } });
    proxy = await startEdgeProxy({ config, log: memoryLogger() });
  });

  it('/api/*: the api origin under /prod, the template policies, the inline Lambda code', async () => {
    const r = await send(proxy.url, '/api/list?page=2&sort=a', { headers: { 'x-tenant': 't1', 'x-request-id': 'r1', 'x-other': 'no' } });
    expect(r.status).toBe(200);
    const seen = api.requests.at(-1);
    expect(seen?.url).toBe('/prod/api/list?page=2&sort=a'); // origin request policy: all query strings
    const raw = seen?.rawHeaders ?? [];
    expect(header(raw, 'x-api-key')).toBe('key-123456789012');
    expect(header(raw, 'x-inline')).toBe('ran');
    expect(header(raw, 'x-tenant')).toBe('t1');
    expect(header(raw, 'x-request-id')).toBe('r1');
    expect(header(raw, 'x-other')).toBeUndefined();
  });

  it('default behavior: the bucket origin mapped by Id, the asset Lambda, the template response headers policy', async () => {
    const r = await send(proxy.url, '/index.html');
    expect(r.text).toBe('site');
    expect(r.headers['x-asset-function']).toBe('ran');
    expect(r.headers['x-served-by']).toBe('edge-us-east-1');
  });

  it('a template with two distributions needs --logical-id, and names them', async () => {
    const e = await importDistribution({ file: YAML, workDir: work, ...maps() }).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`${YAML}: the template has 2 distributions (Site, Other); pick one with --logical-id ID`);
    const other = await importDistribution({ file: YAML, logicalId: 'Other', workDir: work, originMap: new Map([['other.example.com', api.url]]), functionMap: new Map() });
    expect(other.config.behaviors).toEqual([{ pathPattern: '*', origin: 'other', compress: false, cachePolicy: 'CachingDisabled', originRequestPolicy: null }]);
  });

  it('an unmapped template origin suggests its Id when the domain is not a name', async () => {
    const e = await importDistribution({ file: YAML, logicalId: 'Site', workDir: work, originMap: new Map([['api.example.com', api.url]]), functionMap: new Map() }).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`${YAML}: Origins[site]: origin "<SiteBucket.RegionalDomainName>" has no local URL; map it with --origin-map site=http://127.0.0.1:3000`);
  });
});
