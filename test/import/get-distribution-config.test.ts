// A hand-written `aws cloudfront get-distribution-config` output using every mapped field, imported
// and run through the real proxy: each behavior's request reaches its mapped origin with the
// imported policies and functions applied; the not-emulated table lists what cannot run locally.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';
import { importDistribution } from '../../src/import/index.js';
import { parseFunctionMap, parseOriginMap } from '../../src/import/flags.js';
import { formatNotEmulated } from '../../src/import/report.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';

const DIR = path.join(FIXTURES, 'import');
const FILE = path.join(DIR, 'get-distribution-config.json');
const FNS = path.join(DIR, 'fns.mjs');
const functionMap = (): ReturnType<typeof parseFunctionMap> =>
  parseFunctionMap([
    // unqualified ARN: matches guard:7 too
    `arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`,
    `arn:aws:lambda:us-east-1:123456789012:function:mark=${FNS}#originResponse`,
    `arn:aws:lambda:us-east-1:123456789012:function:stamp:1=${FNS}#originRequest`,
  ]);

let api: TestOrigin;
let assets: TestOrigin;
let proxy: EdgeProxy;

function header(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

beforeAll(async () => {
  api = await startOrigin();
  assets = await startOrigin((req, res) => {
    const json = JSON.stringify({ url: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  });
});
afterAll(async () => {
  await proxy?.close();
  await api?.close();
  await assets?.close();
});

describe('import: get-distribution-config JSON', () => {
  it('maps origins, behaviors, policies, legacy settings, functions and error responses', async () => {
    const r = await importDistribution({
      file: FILE,
      originMap: parseOriginMap([`api.example.com=${api.url}`, `assets.example.com=${assets.url}`]),
      functionMap: functionMap(),
    });
    expect(r.kind).toBe('get-distribution-config');
    const c = r.config;
    expect(c.origins).toEqual([
      { id: 'api', url: `${api.url}/v1`, customHeaders: { 'X-Origin-Secret': 's3cr3t' }, connectTimeout: 3, readTimeout: 10, keepaliveTimeout: 4, sslProtocols: ['TLSv1.2'] },
      { id: 'assets', url: assets.url, connectTimeout: 10 },
    ]);
    expect(c.behaviors?.map((b) => [b.pathPattern, b.origin])).toEqual([['/api/*', 'api'], ['/legacy/*', 'assets'], ['*', 'assets']]);
    const [apiB, legacyB, defB] = c.behaviors ?? [];
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
    expect(defB?.cachePolicy).toBe('CachingOptimized');
    expect(defB?.originRequestPolicy).toBeNull();
    expect(defB?.responseHeadersPolicy).toBe('SecurityHeadersPolicy');
    expect(defB?.functions).toEqual({ 'origin-request': { function: 'stamp-1', includeBody: false } });
    expect(c.customErrorResponses).toEqual([{ errorCode: 404, responsePagePath: '/legacy/not-found.html', responseCode: 404, errorCachingMinTTL: 30 }]);

    const fields = r.notEmulated.map((n) => n.field);
    for (const f of [
      'Aliases', 'Logging', 'PriceClass', 'ViewerCertificate', 'Restrictions',
      'DefaultCacheBehavior.ViewerProtocolPolicy',
      'CacheBehaviors[/api/*].ViewerProtocolPolicy', 'CacheBehaviors[/api/*].FunctionAssociations',
      'Origins[api].ConnectionAttempts', 'Origins[api].CustomOriginConfig',
      'CacheBehaviors[/api/*].LambdaFunctionAssociations[viewer-request].LambdaFunctionARN',
    ]) expect(fields).toContain(f);
    // Empty, default or purely descriptive fields make no row; a mapped field makes none either.
    for (const f of ['DefaultCacheBehavior.ResponseHeadersPolicyId', 'Comment', 'CallerReference', 'Enabled', 'WebACLId', 'OriginGroups', 'CacheBehaviors[/legacy/*].ViewerProtocolPolicy', 'Origins[assets].ConnectionAttempts']) {
      expect(fields).not.toContain(f);
    }
    const table = formatNotEmulated(r.notEmulated);
    expect(table[0]).toBe(`not emulated (${r.notEmulated.length}):`);
    expect(table.find((l) => l.includes('Aliases'))).toMatch(/www\.example\.com\s+ignored locally/);

    const config = await loadConfig({ object: { ...c, listen: { host: '127.0.0.1', port: 0 } } });
    proxy = await startEdgeProxy({ config, log: memoryLogger() });
  });

  it('/api/*: the api origin under its origin path, custom header, viewer-request body, origin-response, not cached', async () => {
    const before = api.hits;
    const r = await send(proxy.url, '/api/items?x=1', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-origin-response']).toBe('ran');
    const seen = api.requests.at(-1);
    expect(seen?.url).toBe('/v1/api/items?x=1');
    expect(seen?.method).toBe('POST');
    expect(header(seen?.rawHeaders ?? [], 'x-origin-secret')).toBe('s3cr3t');
    expect(header(seen?.rawHeaders ?? [], 'x-vr-body-length')).toBe('5');
    expect(header(seen?.rawHeaders ?? [], 'x-origin-request')).toBeUndefined();
    await send(proxy.url, '/api/items');
    await send(proxy.url, '/api/items');
    expect(api.hits - before).toBe(3); // CachingDisabled
  });

  it('/legacy/*: keyed on v only, all query strings reach the origin, cached for the legacy TTL', async () => {
    const before = assets.hits;
    const a = await send(proxy.url, '/legacy/a?v=1&w=1');
    expect(JSON.parse(a.text)).toEqual({ url: '/legacy/a?v=1&w=1' });
    const b = await send(proxy.url, '/legacy/a?v=1&w=2');
    expect(b.headers['x-cache']).toMatch(/^Hit/);
    const c = await send(proxy.url, '/legacy/a?v=2');
    expect(c.headers['x-cache']).toMatch(/^Miss/);
    expect(assets.hits - before).toBe(2);
    const d = await send(proxy.url, '/legacy/a?v=1', { method: 'PUT' });
    expect(d.status).toBe(403); // PUT is not in the behavior's AllowedMethods
  });

  it('default behavior: the assets origin, the origin-request function, CachingOptimized', async () => {
    const before = assets.hits;
    const a = await send(proxy.url, '/index.html?q=1');
    expect(JSON.parse(a.text)).toEqual({ url: '/index.html' }); // CachingOptimized, no origin request policy: no query strings
    expect(header(assets.requests.at(-1)?.rawHeaders ?? [], 'x-origin-request')).toBe('ran');
    expect(a.headers['x-content-type-options']).toBe('nosniff'); // SecurityHeadersPolicy by its AWS ID
    const b = await send(proxy.url, '/index.html?q=2');
    expect(b.headers['x-cache']).toMatch(/^Hit/);
    expect(assets.hits - before).toBe(1);
  });
});

describe('import: what stops an import', () => {
  it('an unmapped origin names its domain and the flag that maps it', async () => {
    const e = await importDistribution({ file: FILE, originMap: parseOriginMap(['api.example.com=http://127.0.0.1:1']), functionMap: functionMap() }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toBe(
      `${FILE}: Origins[assets]: origin "assets.example.com" has no local URL; map it with --origin-map assets.example.com=http://127.0.0.1:3000`,
    );
  });

  it('an unmapped function names its ARN and --function-map', async () => {
    const e = await importDistribution({
      file: FILE,
      originMap: parseOriginMap(['api.example.com=http://127.0.0.1:1', 'assets.example.com=http://127.0.0.1:2']),
      functionMap: parseFunctionMap([`arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`]),
    }).catch((x: unknown) => x);
    expect((e as ConfigError).message.split('\n')).toEqual([
      `${FILE}: CacheBehaviors[/api/*].LambdaFunctionAssociations[origin-response]: function arn:aws:lambda:us-east-1:123456789012:function:mark has no local code; map it with --function-map arn:aws:lambda:us-east-1:123456789012:function:mark=functions/handler.js`,
      `${FILE}: DefaultCacheBehavior.LambdaFunctionAssociations[origin-request]: function arn:aws:lambda:us-east-1:123456789012:function:stamp:1 has no local code; map it with --function-map arn:aws:lambda:us-east-1:123456789012:function:stamp:1=functions/handler.js`,
    ]);
  });

  it('a custom cache policy ID that is not in the file is named', async () => {
    const { mapDistribution } = await import('../../src/import/map.js');
    const r = mapDistribution({ Origins: [{ Id: 'o', DomainName: 'o.example' }], DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'abcd-1234' } }, { originMap: new Map([['o', 'http://127.0.0.1:1']]), functionMap: new Map() });
    expect(r.problems).toEqual([
      'DefaultCacheBehavior.CachePolicyId: "abcd-1234" is neither an AWS managed cache policy nor defined in this file; import the CloudFormation template that defines it, or run edgeproxy config --print and write the policy into the config',
    ]);
  });
});
