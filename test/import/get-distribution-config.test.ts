// A hand-written `aws cloudfront get-distribution-config` output using every mapped field, imported
// and run through the real proxy: each behavior's request reaches its mapped origin with the
// imported policies, functions, viewer protocol policy, origin group, trusted key group and geo
// restriction applied; the not-emulated table lists what cannot run locally.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';
import { importDistribution } from '../../src/import/index.js';
import { parseFunctionMap, parseKvsMap, parseOriginMap } from '../../src/import/flags.js';
import { formatNotEmulated } from '../../src/import/report.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';
import { sendHttps, signedPath } from './tls.js';

const DIR = path.join(FIXTURES, 'import');
const FILE = path.join(DIR, 'get-distribution-config.json');
const FNS = path.join(DIR, 'fns.mjs');
const GREET = 'arn:aws:cloudfront::123456789012:function/greet';
const STAMP_CF = 'arn:aws:cloudfront::123456789012:function/stamp-cf';
const functionMap = (): ReturnType<typeof parseFunctionMap> =>
  parseFunctionMap([
    // unqualified ARN: matches guard:7 too
    `arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`,
    `arn:aws:lambda:us-east-1:123456789012:function:mark=${FNS}#originResponse`,
    `arn:aws:lambda:us-east-1:123456789012:function:stamp:1=${FNS}#originRequest`,
    // CloudFront Functions: greet.js names no runtime (2.0 assumed), stamp-cf.js says 1.0 on its first line
    `${GREET}=${path.join(DIR, 'greet.js')}`,
    `${STAMP_CF}=${path.join(DIR, 'stamp-cf.js')}`,
  ]);
/** The store greet reads: a DistributionConfig does not say which, so --kvs-map names it by the function's ARN. */
const kvsMap = (): ReturnType<typeof parseKvsMap> => parseKvsMap([`${GREET}=${path.join(DIR, 'greetings.kvs.json')}`]);
const POLICIES = path.join(DIR, 'policies');
const KEY_GROUP = '5e6f7a8b-4444-4555-8666-777788889999';

let api: TestOrigin;
let assets: TestOrigin;
let backup: TestOrigin;
let proxy: EdgeProxy;
let stateDir: string;
/** The imported distribution allows DE and FR only: the proxy's viewers are in DE unless a request says otherwise. */
const IN_DE = { 'x-edgeproxy-cloudfront-viewer-country': 'DE' };
const https = (p: string, opts: Parameters<typeof sendHttps>[3] = {}): ReturnType<typeof sendHttps> =>
  sendHttps(proxy.https?.url ?? '', p, proxy.https?.selfSigned?.certFile ?? '', { ...opts, headers: { ...IN_DE, ...opts.headers } });
const http = (p: string, opts: Parameters<typeof send>[2] = {}): ReturnType<typeof send> => send(proxy.url, p, { ...opts, headers: { ...IN_DE, ...opts.headers } });

function header(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

beforeAll(async () => {
  api = await startOrigin();
  assets = await startOrigin((req, res) => {
    const json = JSON.stringify({ url: req.url });
    // /custom/down fails, so the origin group fails over to backup
    res.writeHead(req.url?.startsWith('/custom/down') === true ? 503 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  });
  backup = await startOrigin((req, res) => {
    const json = JSON.stringify({ backup: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  });
  stateDir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-import-state-'));
});
afterAll(async () => {
  await proxy?.close();
  await api?.close();
  await assets?.close();
  await backup?.close();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});
const origins = (): ReturnType<typeof parseOriginMap> =>
  parseOriginMap([`api.example.com=${api.url}`, `assets.example.com=${assets.url}`, `backup.example.com=${backup.url}`]);

describe('import: get-distribution-config JSON', () => {
  it('maps origins, behaviors, policies, legacy settings, functions and error responses', async () => {
    const r = await importDistribution({
      file: FILE,
      originMap: origins(),
      functionMap: functionMap(),
      kvsMap: kvsMap(),
      policyFiles: [POLICIES],
    });
    expect(r.kind).toBe('get-distribution-config');
    const c = r.config;
    expect(c.origins).toEqual([
      { id: 'api', url: `${api.url}/v1`, customHeaders: { 'X-Origin-Secret': 's3cr3t' }, connectTimeout: 3, readTimeout: 10, keepaliveTimeout: 4, sslProtocols: ['TLSv1.2'] },
      { id: 'assets', url: assets.url, connectTimeout: 10 },
      { id: 'backup', url: backup.url, connectTimeout: 10 },
    ]);
    expect(c.behaviors?.map((b) => [b.pathPattern, b.origin])).toEqual([['/api/*', 'api'], ['/legacy/*', 'assets'], ['/custom/*', 'assets-failover'], ['/private/*', 'assets'], ['*', 'assets']]);
    const [apiB, legacyB, customB, privateB, defB] = c.behaviors ?? [];
    expect(c.originGroups).toEqual([{ id: 'assets-failover', members: ['assets', 'backup'], failoverCriteria: { statusCodes: [500, 502, 503] }, selectionCriteria: 'default' }]);
    expect(c.behaviors?.map((b) => b.viewerProtocolPolicy)).toEqual(['https-only', undefined, undefined, undefined, 'redirect-to-https']);
    expect(c.listen).toEqual({ https: {} }); // a behavior needs HTTPS: the HTTPS listener, self-signed
    expect(c.httpVersion).toBe('http2');
    expect(c.restrictions).toEqual({ geoRestriction: { restrictionType: 'whitelist', locations: ['DE', 'FR'] } });
    expect(privateB?.trustedKeyGroups).toEqual([KEY_GROUP]);
    expect(c.keyGroups).toEqual([{ id: KEY_GROUP, name: 'fixture-signers', items: ['K2JCJMDEHXQW5F'], comment: "the fixture's one key" }]);
    expect(c.publicKeys).toEqual([{ id: 'K2JCJMDEHXQW5F', name: 'fixture-signing-key', encodedKey: readFileSync(path.join(DIR, 'signing-key.pub.pem'), 'utf8'), comment: 'signs the /private/* URLs of the import fixture' }]);
    expect(apiB?.cachePolicy).toBe('CachingDisabled');
    expect(apiB?.originRequestPolicy).toBe('AllViewerExceptHostHeader');
    expect(apiB?.allowedMethods).toEqual(['HEAD', 'DELETE', 'POST', 'GET', 'OPTIONS', 'PUT', 'PATCH']);
    expect(apiB?.cachedMethods).toEqual(['HEAD', 'GET']);
    expect(apiB?.compress).toBe(false);
    expect(apiB?.functions).toEqual({ 'viewer-request': { function: 'guard-7', includeBody: true }, 'origin-response': { function: 'mark', includeBody: false } });
    expect(legacyB?.cachePolicy).toMatchObject({
      minTTL: 0, defaultTTL: 60, maxTTL: 600,
      queryStrings: { behavior: 'whitelist', names: ['v'] },
      headers: { behavior: 'whitelist', names: ['X-Variant'] },
      cookies: { behavior: 'whitelist', names: ['session'] },
    });
    expect(legacyB?.originRequestPolicy).toMatchObject({ queryStrings: 'all', headers: 'none', cookies: 'none' });
    expect(legacyB?.functions).toEqual({ 'viewer-request': 'greet' });
    // --policy-file: the bodies of the custom policies the behavior names by ID
    expect(customB?.cachePolicy).toEqual({
      name: 'custom-keyed-on-k', minTTL: 1, defaultTTL: 60, maxTTL: 600,
      queryStrings: { behavior: 'whitelist', names: ['k'] }, headers: { behavior: 'whitelist', names: ['X-Variant'] }, cookies: { behavior: 'none' },
      enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: false,
    });
    expect(customB?.originRequestPolicy).toEqual({ name: 'custom-forward', queryStrings: { behavior: 'all' }, headers: { behavior: 'whitelist', names: ['X-Forward-Me'] }, cookies: { behavior: 'none' } });
    expect(customB?.responseHeadersPolicy).toEqual({
      name: 'custom-headers',
      securityHeadersConfig: { frameOptions: { frameOption: 'DENY', override: true } },
      customHeadersConfig: [{ header: 'X-Custom-Policy', value: 'applied', override: true }],
    });
    expect(defB?.cachePolicy).toBe('CachingOptimized');
    expect(defB?.originRequestPolicy).toBeNull();
    expect(defB?.responseHeadersPolicy).toBe('SecurityHeadersPolicy');
    expect(defB?.functions).toEqual({ 'origin-request': { function: 'stamp-1', includeBody: false }, 'viewer-response': 'stamp-cf' });
    expect(c.functions?.filter((f) => f.runtime !== undefined)).toEqual([
      { id: 'greet', file: path.join(DIR, 'greet.js'), runtime: 'cloudfront-js-2.0', keyValueStore: 'greet-kvs' },
      { id: 'stamp-cf', file: path.join(DIR, 'stamp-cf.js'), runtime: 'cloudfront-js-1.0' },
    ]);
    expect(c.keyValueStores).toEqual([{ name: 'greet-kvs', file: path.join(DIR, 'greetings.kvs.json') }]);
    expect(c.customErrorResponses).toEqual([{ errorCode: 404, responsePagePath: '/legacy/not-found.html', responseCode: 404, errorCachingMinTTL: 30 }]);

    const fields = r.notEmulated.map((n) => n.field);
    for (const f of [
      'Aliases', 'Logging', 'PriceClass', 'ViewerCertificate',
      'CacheBehaviors[/legacy/*].FunctionAssociations[viewer-request].FunctionARN', // runs as cloudfront-js-2.0
      'Origins[api].ConnectionAttempts', 'Origins[api].CustomOriginConfig',
      'CacheBehaviors[/api/*].LambdaFunctionAssociations[viewer-request].LambdaFunctionARN',
    ]) expect(fields).toContain(f);
    // Empty, default or purely descriptive fields make no row; a mapped field makes none either.
    for (const f of ['DefaultCacheBehavior.ResponseHeadersPolicyId', 'DefaultCacheBehavior.FunctionAssociations', 'DefaultCacheBehavior.FunctionAssociations[viewer-response].FunctionARN', 'CacheBehaviors[/custom/*].CachePolicyId', 'Comment', 'CallerReference', 'Enabled', 'WebACLId', 'OriginGroups', 'Restrictions', 'HttpVersion', 'DefaultCacheBehavior.ViewerProtocolPolicy', 'CacheBehaviors[/api/*].ViewerProtocolPolicy', 'CacheBehaviors[/legacy/*].ViewerProtocolPolicy', 'CacheBehaviors[/private/*].TrustedKeyGroups', 'Origins[assets].ConnectionAttempts']) {
      expect(fields).not.toContain(f);
    }
    const table = formatNotEmulated(r.notEmulated);
    expect(table[0]).toBe(`not emulated (${r.notEmulated.length}):`);
    expect(table.find((l) => l.includes('Aliases'))).toMatch(/www\.example\.com\s+ignored locally/);
    expect(table.find((l) => l.includes('ViewerCertificate'))).toMatch(/self-signed localhost certificate/);

    const config = await loadConfig({ object: { ...c, listen: { host: '127.0.0.1', port: 0, https: { ...c.listen?.https, port: 0 } } } });
    proxy = await startEdgeProxy({ config, log: memoryLogger(), stateDir });
    expect(proxy.https?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('viewer protocol policies: /api/* refuses plain HTTP, the default behavior redirects it to the HTTPS listener', async () => {
    const before = api.hits;
    expect((await http('/api/items')).status).toBe(403);
    expect(api.hits).toBe(before);
    const r = await http('/index.html?a=1');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://127.0.0.1:${new URL(proxy.https?.url ?? '').port}/index.html?a=1`);
  });

  it('geo restriction: a viewer outside DE and FR gets 403, one in FR is served', async () => {
    const before = assets.hits;
    const us = await http('/legacy/geo?v=1', { headers: { 'x-edgeproxy-cloudfront-viewer-country': 'US' } });
    expect(us.status).toBe(403);
    expect(assets.hits).toBe(before);
    const fr = await http('/legacy/geo?v=1', { headers: { 'x-edgeproxy-cloudfront-viewer-country': 'FR' } });
    expect(fr.status).toBe(200);
  });

  it('/api/*: the api origin under its origin path, custom header, viewer-request body, origin-response, not cached', async () => {
    const before = api.hits;
    const r = await https('/api/items?x=1', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-origin-response']).toBe('ran');
    const seen = api.requests.at(-1);
    expect(seen?.url).toBe('/v1/api/items?x=1');
    expect(seen?.method).toBe('POST');
    expect(header(seen?.rawHeaders ?? [], 'x-origin-secret')).toBe('s3cr3t');
    expect(header(seen?.rawHeaders ?? [], 'x-vr-body-length')).toBe('5');
    expect(header(seen?.rawHeaders ?? [], 'x-origin-request')).toBeUndefined();
    await https('/api/items');
    await https('/api/items');
    expect(api.hits - before).toBe(3); // CachingDisabled
  });

  it('/legacy/*: keyed on v only, all query strings reach the origin, cached for the legacy TTL', async () => {
    const before = assets.hits;
    const a = await http('/legacy/a?v=1&w=1');
    expect(JSON.parse(a.text)).toEqual({ url: '/legacy/a?v=1&w=1' });
    // The CloudFront Function greet (viewer-request) set X-Variant from its key value store; the
    // legacy settings forward X-Variant.
    expect(header(assets.requests.at(-1)?.rawHeaders ?? [], 'x-variant')).toBe('hello from the store');
    const b = await http('/legacy/a?v=1&w=2');
    expect(b.headers['x-cache']).toMatch(/^Hit/);
    const c = await http('/legacy/a?v=2');
    expect(c.headers['x-cache']).toMatch(/^Miss/);
    expect(assets.hits - before).toBe(2);
    const d = await http('/legacy/a?v=1', { method: 'PUT' });
    expect(d.status).toBe(403); // PUT is not in the behavior's AllowedMethods
  });

  it('default behavior: the assets origin, the origin-request function, CachingOptimized', async () => {
    const before = assets.hits;
    const a = await https('/index.html?q=1');
    expect(JSON.parse(a.text)).toEqual({ url: '/index.html' }); // CachingOptimized, no origin request policy: no query strings
    expect(header(assets.requests.at(-1)?.rawHeaders ?? [], 'x-origin-request')).toBe('ran');
    expect(a.headers['x-content-type-options']).toBe('nosniff'); // SecurityHeadersPolicy by its AWS ID
    expect(a.headers['x-cff-viewer-response']).toBe('ran'); // the CloudFront Function stamp-cf (1.0)
    const b = await https('/index.html?q=2');
    expect(b.headers['x-cache']).toMatch(/^Hit/);
    expect(assets.hits - before).toBe(1);
  });

  it('/custom/*: the custom policies from --policy-file: keyed on k and X-Variant, all query strings and X-Forward-Me to the origin, the custom headers', async () => {
    const before = assets.hits;
    const a = await http('/custom/a?k=1&z=1', { headers: { 'x-forward-me': 'yes', 'x-other': 'no' } });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toEqual({ url: '/custom/a?k=1&z=1' });
    const raw = assets.requests.at(-1)?.rawHeaders ?? [];
    expect(header(raw, 'x-forward-me')).toBe('yes');
    expect(header(raw, 'x-other')).toBeUndefined();
    expect(a.headers['x-custom-policy']).toBe('applied');
    expect(a.headers['x-frame-options']).toBe('DENY');
    const b = await http('/custom/a?k=1&z=2');
    expect(b.headers['x-cache']).toMatch(/^Hit/); // z is not in the cache key
    const c = await http('/custom/a?k=1&z=2', { headers: { 'x-variant': 'b' } });
    expect(c.headers['x-cache']).toMatch(/^Miss/); // X-Variant is
    expect(assets.hits - before).toBe(2);
  });

  it('/custom/* targets the origin group: a 503 from assets fails over to backup', async () => {
    const a = await http('/custom/down?k=9');
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toEqual({ backup: '/custom/down?k=9' });
    expect(assets.requests.at(-1)?.url).toBe('/custom/down?k=9'); // the primary was asked first
  });

  it('/private/* trusts the key group from --policy-file: unsigned 403, signed with its key 200', async () => {
    const before = assets.hits;
    expect((await http('/private/doc')).status).toBe(403);
    const signed = signedPath('/private/doc', 'http*://*/private/*', Math.floor(Date.now() / 1000) + 600, 'K2JCJMDEHXQW5F', path.join(DIR, 'signing-key.pem'));
    const ok = await http(signed);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ url: '/private/doc' }); // the signing values do not reach the origin
    expect(assets.hits - before).toBe(1);
  });
});

describe('import: what stops an import', () => {
  it('an unmapped origin names its domain and the flag that maps it', async () => {
    const e = await importDistribution({ file: FILE, originMap: parseOriginMap(['api.example.com=http://127.0.0.1:1', 'backup.example.com=http://127.0.0.1:3']), functionMap: functionMap(), kvsMap: kvsMap(), policyFiles: [POLICIES] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toBe(
      `${FILE}: Origins[assets]: origin "assets.example.com" has no local URL; map it with --origin-map assets.example.com=http://127.0.0.1:3000`,
    );
  });

  it('an unmapped function names its ARN and --function-map', async () => {
    const e = await importDistribution({
      file: FILE,
      originMap: parseOriginMap(['api.example.com=http://127.0.0.1:1', 'assets.example.com=http://127.0.0.1:2', 'backup.example.com=http://127.0.0.1:3']),
      functionMap: parseFunctionMap([`arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`]),
      policyFiles: [POLICIES],
    }).catch((x: unknown) => x);
    expect((e as ConfigError).message.split('\n')).toEqual([
      `${FILE}: CacheBehaviors[/api/*].LambdaFunctionAssociations[origin-response]: function arn:aws:lambda:us-east-1:123456789012:function:mark has no local code; map it with --function-map arn:aws:lambda:us-east-1:123456789012:function:mark=functions/handler.js`,
      `${FILE}: CacheBehaviors[/legacy/*].FunctionAssociations[viewer-request]: CloudFront Function ${GREET} has no local code; map it with --function-map ${GREET}=functions/handler.js`,
      `${FILE}: DefaultCacheBehavior.LambdaFunctionAssociations[origin-request]: function arn:aws:lambda:us-east-1:123456789012:function:stamp:1 has no local code; map it with --function-map arn:aws:lambda:us-east-1:123456789012:function:stamp:1=functions/handler.js`,
      `${FILE}: DefaultCacheBehavior.FunctionAssociations[viewer-response]: CloudFront Function ${STAMP_CF} has no local code; map it with --function-map ${STAMP_CF}=functions/handler.js`,
    ]);
  });

  it('a custom policy ID that is neither managed, in the file nor in a --policy-file is named, with the flag that supplies it', async () => {
    const e = await importDistribution({ file: FILE, originMap: parseOriginMap(['api.example.com=http://127.0.0.1:1', 'assets.example.com=http://127.0.0.1:2', 'backup.example.com=http://127.0.0.1:3']), functionMap: functionMap(), kvsMap: kvsMap() }).catch((x: unknown) => x);
    expect((e as ConfigError).message.split('\n')).toEqual([
      `${FILE}: CacheBehaviors[/custom/*].CachePolicyId: "2a1b3c4d-1111-4222-8333-444455556666" is neither an AWS managed cache policy nor defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-cache-policy --id 2a1b3c4d-1111-4222-8333-444455556666), or import the CloudFormation template that defines it`,
      `${FILE}: CacheBehaviors[/custom/*].OriginRequestPolicyId: "3b2c4d5e-2222-4333-8444-555566667777" is neither an AWS managed origin request policy nor defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-origin-request-policy --id 3b2c4d5e-2222-4333-8444-555566667777), or import the CloudFormation template that defines it`,
      `${FILE}: CacheBehaviors[/custom/*].ResponseHeadersPolicyId: "4c3d5e6f-3333-4444-8555-666677778888" is neither an AWS managed response headers policy nor defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-response-headers-policy --id 4c3d5e6f-3333-4444-8555-666677778888), or import the CloudFormation template that defines it`,
      `${FILE}: CacheBehaviors[/private/*].TrustedKeyGroups: key group "${KEY_GROUP}" is not defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-key-group --id ${KEY_GROUP})`,
    ]);
  });

  it('a --policy-file that is not a policy, or a bare policy config without its Id, is named', async () => {
    const e1 = await importDistribution({ file: FILE, originMap: new Map(), functionMap: new Map(), policyFiles: [FILE] }).catch((x: unknown) => x);
    expect((e1 as ConfigError).message).toMatch(/^--policy-file .*get-distribution-config\.json: not a policy: expected the JSON of aws cloudfront get-cache-policy/);
    const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-policy-'));
    try {
      const bare = path.join(dir, 'bare.json');
      await writeFile(bare, JSON.stringify({ ETag: 'E1', CachePolicyConfig: { Name: 'x' } }));
      const e2 = await importDistribution({ file: FILE, originMap: new Map(), functionMap: new Map(), policyFiles: [dir] }).catch((x: unknown) => x);
      expect((e2 as ConfigError).message).toBe(`--policy-file ${bare}: a bare CachePolicyConfig has no Id; save the output of aws cloudfront get-cache-policy --id ID instead`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a CloudFront Function mapped with #export is named', async () => {
    const { mapDistribution } = await import('../../src/import/map.js');
    const dc = {
      Origins: [{ Id: 'o', DomainName: 'o.example' }],
      DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: GREET }] },
    };
    const r = mapDistribution(dc, { originMap: new Map([['o', 'http://127.0.0.1:1']]), functionMap: new Map([[GREET, { file: '/x/greet.js', export: 'handler' }]]) });
    expect(r.problems).toEqual([`DefaultCacheBehavior.FunctionAssociations[viewer-request]: --function-map ${GREET}=/x/greet.js#handler: a CloudFront Function has no export (CloudFront calls its top-level function "handler")`]);
  });
});
