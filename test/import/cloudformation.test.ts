// CloudFormation templates (YAML with short-form tags, and the same template in JSON) imported and
// run through the real proxy: Ref / Fn::GetAtt / Fn::Sub / Fn::Join resolved to the template's
// policies, functions (inline code and a CDK-style asset), a CloudFront Function with its key value
// store, a key group with its public key, and parameters. The template's viewer protocol policies
// put /api/* and the default behavior on the HTTPS listener.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { importDistribution } from '../../src/import/index.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';
import { sendHttps, signedPath } from './tls.js';

const YAML = path.join(FIXTURES, 'import', 'cdk.out', 'template.yaml');
const JSON_TEMPLATE = path.join(FIXTURES, 'import', 'cdk.out', 'template.json');
let site: TestOrigin;
let api: TestOrigin;
let proxy: EdgeProxy;
let work: string;
let stateDir: string;
const https = (p: string, opts: Parameters<typeof sendHttps>[3] = {}): ReturnType<typeof sendHttps> =>
  sendHttps(proxy.https?.url ?? '', p, proxy.https?.selfSigned?.certFile ?? '', opts);

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
  stateDir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cfn-state-'));
});
afterAll(async () => {
  await proxy?.close();
  await site?.close();
  await api?.close();
  await rm(work, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

describe('import: CloudFormation', () => {
  it('YAML and JSON forms of one template import to the same config', async () => {
    const y = await importDistribution({ file: YAML, logicalId: 'Site', workDir: work, ...maps() });
    const j = await importDistribution({ file: JSON_TEMPLATE, logicalId: 'Site', workDir: work, ...maps() });
    expect(y.kind).toBe('cloudformation');
    expect(j.config).toEqual(y.config);
    const [apiB, membersB, defB] = y.config.behaviors ?? [];
    expect(y.config.origins[1]).toEqual({ id: 'api', url: `${api.url}/prod`, customHeaders: { 'X-Api-Key': 'key-123456789012' }, readTimeout: 20, sslProtocols: ['TLSv1.2'] });
    expect(apiB?.cachePolicy).toMatchObject({ name: 'edgeproxy-local-api', defaultTTL: 30, queryStrings: { behavior: 'whitelist', names: ['page'] } });
    expect(apiB?.originRequestPolicy).toMatchObject({ name: 'api-origin', queryStrings: { behavior: 'all' } });
    expect(defB?.responseHeadersPolicy).toMatchObject({ name: 'site-headers', customHeadersConfig: [{ header: 'X-Served-By', value: 'edge-us-east-1', override: true }] });
    // AWS::CloudFront::Function: inline FunctionCode, FunctionConfig.Runtime, its store's data from the CDK asset
    expect(defB?.functions?.['viewer-request']).toBe('Rewrite');
    const rewrite = y.config.functions?.find((f) => f.id === 'Rewrite');
    expect(rewrite).toEqual({ id: 'Rewrite', file: path.join(work, 'Rewrite.js'), runtime: 'cloudfront-js-2.0', keyValueStore: 'redirects' });
    expect(y.config.keyValueStores).toEqual([{ name: 'redirects', file: path.join(path.dirname(YAML), 'asset.eb2e5c262fc260dd48fafd692d92dfeb73f71b985d71e3f43475710312752138.json') }]);
    expect(y.notEmulated.map((n) => n.field)).not.toContain('DefaultCacheBehavior.FunctionAssociations');
    // AWS::CloudFront::KeyGroup / PublicKey: the local Key-Pair-Id is the key's logical id, upper case
    expect(membersB?.trustedKeyGroups).toEqual(['SigningGroup']);
    expect(y.config.keyGroups).toEqual([{ id: 'SigningGroup', name: 'members', items: ['SIGNINGKEY'] }]);
    expect(y.config.publicKeys).toEqual([{ id: 'SIGNINGKEY', name: 'members-key', encodedKey: readFileSync(path.join(FIXTURES, 'import', 'signing-key.pub.pem'), 'utf8') }]);
    expect(y.notEmulated.find((n) => n.field === 'SigningKey.PublicKeyConfig')?.note).toBe('signed URLs name it Key-Pair-Id=SIGNINGKEY locally (AWS assigns the real ID at deploy)');
    expect(apiB?.viewerProtocolPolicy).toBe('https-only');
    expect(defB?.viewerProtocolPolicy).toBe('redirect-to-https');
    const config = await loadConfig({ object: { ...y.config, listen: { host: '127.0.0.1', port: 0, https: { port: 0 } } } });
    proxy = await startEdgeProxy({ config, log: memoryLogger(), stateDir });
  });

  it('/api/*: the api origin under /prod, the template policies, the inline Lambda code', async () => {
    expect((await send(proxy.url, '/api/list')).status).toBe(403); // https-only
    const r = await https('/api/list?page=2&sort=a', { headers: { 'x-tenant': 't1', 'x-request-id': 'r1', 'x-other': 'no' } });
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

  it('default behavior: the bucket origin mapped by Id, the asset Lambda, the template response headers policy, the CloudFront Function', async () => {
    expect((await send(proxy.url, '/index.html')).status).toBe(301); // redirect-to-https
    const r = await https('/index.html');
    expect(r.text).toBe('site');
    expect(r.headers['x-asset-function']).toBe('ran');
    expect(r.headers['x-served-by']).toBe('edge-us-east-1');
    expect(site.requests.at(-1)?.url).toBe('/index.html');
    // Rewrite (viewer-request) looks the URI up in its key value store: /old → /new.html
    const moved = await https('/old');
    expect(moved.status).toBe(200);
    expect(site.requests.at(-1)?.url).toBe('/new.html');
  });

  it('/members/*: signed URLs with the template key group\'s key', async () => {
    expect((await send(proxy.url, '/members/a')).status).toBe(403);
    const signed = signedPath('/members/a', 'http*://*/members/*', Math.floor(Date.now() / 1000) + 600, 'SIGNINGKEY', path.join(FIXTURES, 'import', 'signing-key.pem'));
    const ok = await send(proxy.url, signed);
    expect(ok.status).toBe(200);
    expect(site.requests.at(-1)?.url).toBe('/members/a');
  });

  it('CloudFormation\'s spellings of origin groups and geo restriction (Locations) map like the API\'s', async () => {
    const { mapDistribution } = await import('../../src/import/map.js');
    const dc = {
      Origins: [{ Id: 'a', DomainName: 'a.example' }, { Id: 'b', DomainName: 'b.example' }],
      OriginGroups: { Quantity: 1, Items: [{ Id: 'ab', FailoverCriteria: { StatusCodes: { Quantity: 2, Items: [500, 503] } }, Members: { Quantity: 2, Items: [{ OriginId: 'a' }, { OriginId: 'b' }] } }] },
      Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Locations: ['KP'] } },
      DefaultCacheBehavior: { TargetOriginId: 'ab', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
    };
    const r = mapDistribution(dc, { originMap: new Map([['a', 'http://127.0.0.1:1'], ['b', 'http://127.0.0.1:2']]), functionMap: new Map() });
    expect(r.problems).toEqual([]);
    expect(r.config.originGroups).toEqual([{ id: 'ab', members: ['a', 'b'], failoverCriteria: { statusCodes: [500, 503] } }]);
    expect(r.config.restrictions).toEqual({ geoRestriction: { restrictionType: 'blacklist', locations: ['KP'] } });
    expect(r.config.behaviors?.[0]?.origin).toBe('ab');
    expect(r.config.listen).toBeUndefined(); // allow-all needs no HTTPS listener
    expect(r.notEmulated).toEqual([]);
  });

  it('a template store whose data is not beside the template needs --kvs-map, named', async () => {
    const { mapDistribution } = await import('../../src/import/map.js');
    const dc = {
      Origins: [{ Id: 'o', DomainName: 'o.example' }],
      DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: 'cfn:Fn' }] },
    };
    const ctx = {
      originMap: new Map([['o', 'http://127.0.0.1:1']]),
      functionMap: new Map(),
      templateCff: new Map([['cfn:Fn', { logicalId: 'Fn', file: '/x/fn.js', runtime: 'cloudfront-js-2.0', keyValueStores: ['cfn:Store'] }]]),
      templateKvs: new Map([['cfn:Store', { logicalId: 'Store', name: 'prod-store', file: undefined }]]),
    };
    expect(mapDistribution(dc, ctx).problems).toEqual([
      "Fn.FunctionConfig.KeyValueStoreAssociations: key value store prod-store (the template's Store) imports its data from S3; map it with --kvs-map prod-store=data.json (CloudFront's import format)",
    ]);
    const mapped = mapDistribution(dc, { ...ctx, kvsMap: new Map([['Store', '/x/data.json']]) });
    expect(mapped.problems).toEqual([]);
    expect(mapped.config.keyValueStores).toEqual([{ name: 'prod-store', file: '/x/data.json' }]);
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
