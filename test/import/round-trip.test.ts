// Round trip: an imported config converted back with `config --to-distribution` and imported again
// is the same edgeproxy config; and the DistributionConfig that comes back equals the original on
// the fields both have (origins' paths, headers and timeouts; behaviors in order with their
// methods, policies, legacy settings and associations; custom error responses).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFunctionMap, parseOriginMap } from '../../src/import/flags.js';
import { importDistribution } from '../../src/import/index.js';
import { isObj, items, type Obj } from '../../src/import/json.js';
import { mapDistribution } from '../../src/import/map.js';
import { toDistributionConfig } from '../../src/import/to-distribution.js';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers.js';

const FILE = path.join(FIXTURES, 'import', 'get-distribution-config.json');
const FNS = path.join(FIXTURES, 'import', 'fns.mjs');
const API = 'http://127.0.0.1:4001';
const ASSETS = 'http://127.0.0.1:4002';

/** The fields of a behavior both sides have, with lists as plain arrays. */
function shared(b: unknown): Obj {
  const o = isObj(b) ? b : {};
  const am = isObj(o.AllowedMethods) ? o.AllowedMethods : {};
  const fv = isObj(o.ForwardedValues) ? o.ForwardedValues : undefined;
  return {
    PathPattern: o.PathPattern,
    TargetOriginId: o.TargetOriginId,
    AllowedMethods: items(am),
    CachedMethods: items(am.CachedMethods),
    Compress: o.Compress,
    CachePolicyId: o.CachePolicyId,
    OriginRequestPolicyId: o.OriginRequestPolicyId,
    ResponseHeadersPolicyId: o.ResponseHeadersPolicyId,
    ForwardedValues: fv === undefined ? undefined : JSON.parse(JSON.stringify(fv, (_k, v: unknown) => (isObj(v) && 'Quantity' in v ? items(v) : v))),
    MinTTL: fv === undefined ? undefined : o.MinTTL,
    DefaultTTL: fv === undefined ? undefined : o.DefaultTTL,
    MaxTTL: fv === undefined ? undefined : o.MaxTTL,
    Lambda: items(o.LambdaFunctionAssociations).map((a) => (isObj(a) ? [a.EventType, a.IncludeBody] : a)),
  };
}

describe('import round trip', () => {
  it('edgeproxy config → DistributionConfig → edgeproxy config is identity', async () => {
    const first = await importDistribution({
      file: FILE,
      originMap: parseOriginMap([`api.example.com=${API}`, `assets.example.com=${ASSETS}`]),
      functionMap: parseFunctionMap([
        `arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`,
        `arn:aws:lambda:us-east-1:123456789012:function:mark=${FNS}#originResponse`,
        `arn:aws:lambda:us-east-1:123456789012:function:stamp=${FNS}#originRequest`,
      ]),
    });
    const back = toDistributionConfig(first.config);
    expect(back.notes).toEqual([]);
    // The exported functions are named by their edgeproxy ids; map those ARNs to the same code.
    const functionMap = new Map((first.config.functions ?? []).map((f) => [`arn:aws:lambda:us-east-1:123456789012:function:${f.id}`, f.export === undefined ? { file: f.file } : { file: f.file, export: f.export }]));
    const again = mapDistribution(back.distributionConfig, { originMap: new Map([['api', API], ['assets', ASSETS]]), functionMap });
    expect(again.problems).toEqual([]);
    expect(again.config).toEqual(first.config);

    // And the DistributionConfig agrees with the original on the fields both have.
    const original = (JSON.parse(readFileSync(FILE, 'utf8')) as { DistributionConfig: Obj }).DistributionConfig;
    const dc = back.distributionConfig;
    const behaviors = (d: Obj): Obj[] => [...items(d.CacheBehaviors), d.DefaultCacheBehavior].map(shared);
    expect(behaviors(dc)).toEqual(behaviors(original));
    const origins = (d: Obj): unknown[] =>
      items(d.Origins).map((o) => {
        const x = isObj(o) ? o : {};
        const c = isObj(x.CustomOriginConfig) ? x.CustomOriginConfig : {};
        return [x.Id, x.OriginPath, items(x.CustomHeaders), x.ConnectionTimeout, c.OriginReadTimeout, c.OriginKeepaliveTimeout, items(c.OriginSslProtocols)];
      });
    expect(origins(dc)).toEqual(origins(original));
    expect(items(dc.CustomErrorResponses)).toEqual(items(original.CustomErrorResponses));
  });
});
