// Round trip: an imported config converted back with `config --to-distribution` and imported again
// is the same edgeproxy config; and the DistributionConfig that comes back equals the original on
// the fields both have (origins' paths, headers and timeouts; behaviors in order with their
// methods, viewer protocol policies, policies — custom ones through --policy-out / --policy-file —
// legacy settings, Lambda@Edge and CloudFront Function associations, trusted key groups (their groups
// and keys through --policy-out too); origin groups, geo restriction, HttpVersion; custom error
// responses).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { policyFileJson } from '../../src/import/export-policies.js';
import { parseFunctionMap, parseKvsMap, parseOriginMap } from '../../src/import/flags.js';
import { readPolicyFiles } from '../../src/import/policy-files.js';
import { importDistribution } from '../../src/import/index.js';
import { isObj, items, type Obj } from '../../src/import/json.js';
import { mapDistribution } from '../../src/import/map.js';
import { cffArnFor, lambdaArnFor, toDistributionConfig } from '../../src/import/to-distribution.js';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers.js';

const FILE = path.join(FIXTURES, 'import', 'get-distribution-config.json');
const FNS = path.join(FIXTURES, 'import', 'fns.mjs');
const DIR = path.join(FIXTURES, 'import');
const GREET = 'arn:aws:cloudfront::123456789012:function/greet';
const API = 'http://127.0.0.1:4001';
const ASSETS = 'http://127.0.0.1:4002';
const BACKUP = 'http://127.0.0.1:4003';

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
    Functions: items(o.FunctionAssociations).map((a) => (isObj(a) ? a.EventType : a)),
    ViewerProtocolPolicy: o.ViewerProtocolPolicy,
    TrustedKeyGroups: items(o.TrustedKeyGroups),
  };
}

describe('import round trip', () => {
  it('edgeproxy config → DistributionConfig → edgeproxy config is identity', async () => {
    const first = await importDistribution({
      file: FILE,
      originMap: parseOriginMap([`api.example.com=${API}`, `assets.example.com=${ASSETS}`, `backup.example.com=${BACKUP}`]),
      functionMap: parseFunctionMap([
        `arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`,
        `arn:aws:lambda:us-east-1:123456789012:function:mark=${FNS}#originResponse`,
        `arn:aws:lambda:us-east-1:123456789012:function:stamp=${FNS}#originRequest`,
        `${GREET}=${path.join(DIR, 'greet.js')}`,
        `arn:aws:cloudfront::123456789012:function/stamp-cf=${path.join(DIR, 'stamp-cf.js')}`,
      ]),
      kvsMap: parseKvsMap([`${GREET}=${path.join(DIR, 'greetings.kvs.json')}`]),
      policyFiles: [path.join(DIR, 'policies')],
    });
    const back = toDistributionConfig(first.config, { exportPolicies: true });
    // A CloudFront Function's store is not part of a DistributionConfig: the one thing said.
    expect(back.notes).toEqual([`functions[2].keyValueStore: a CloudFront Function's key value store is in its FunctionConfig, not in the DistributionConfig; import again with --kvs-map ${GREET}=FILE`]);
    expect(back.policies.map((p) => p.kind)).toEqual(['CachePolicy', 'OriginRequestPolicy', 'ResponseHeadersPolicy', 'KeyGroup', 'PublicKey']);
    // The exported functions are named by their edgeproxy ids; map those ARNs to the same code.
    const functionMap = new Map(
      (first.config.functions ?? []).map((f) => [f.runtime === undefined ? lambdaArnFor(f.id) : cffArnFor(f.id), f.export === undefined ? { file: f.file } : { file: f.file, export: f.export }]),
    );
    // --policy-out writes the custom policies as get-*-policy files; --policy-file reads them back.
    const out = await mkdtemp(path.join(tmpdir(), 'edgeproxy-policy-out-'));
    let policies: Awaited<ReturnType<typeof readPolicyFiles>>;
    try {
      for (const p of back.policies) await writeFile(path.join(out, `${p.kind}-${p.id}.json`), JSON.stringify(policyFileJson(p)));
      policies = await readPolicyFiles([out]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    const kvsMap = new Map([[GREET, path.join(DIR, 'greetings.kvs.json')]]);
    const again = mapDistribution(back.distributionConfig, { originMap: new Map([['api', API], ['assets', ASSETS], ['backup', BACKUP]]), functionMap, kvsMap, policies });
    expect(again.problems).toEqual([]);
    expect(again.config).toEqual(first.config);
    // The second export is the first: same IDs for the same policies.
    expect(toDistributionConfig(again.config, { exportPolicies: true })).toEqual(back);

    // And the DistributionConfig agrees with the original on the fields both have.
    const original = (JSON.parse(readFileSync(FILE, 'utf8')) as { DistributionConfig: Obj }).DistributionConfig;
    const dc = back.distributionConfig;
    const behaviors = (d: Obj): Obj[] => [...items(d.CacheBehaviors), d.DefaultCacheBehavior].map(shared);
    // Custom policies come back under new IDs (they are created anew); everything else as it was.
    const ids = new Map([
      ['2a1b3c4d-1111-4222-8333-444455556666', back.policies[0]?.id],
      ['3b2c4d5e-2222-4333-8444-555566667777', back.policies[1]?.id],
      ['4c3d5e6f-3333-4444-8555-666677778888', back.policies[2]?.id],
    ]);
    const renamed = behaviors(original).map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? (ids.get(v) ?? v) : v])));
    expect(behaviors(dc)).toEqual(renamed);
    // And the policy bodies are the ones --policy-file gave, on the fields edgeproxy has.
    const given = await readPolicyFiles([path.join(DIR, 'policies')]);
    const strip = (o: Obj | undefined): unknown => JSON.parse(JSON.stringify(o ?? {}, (k, v: unknown) => (k === 'Comment' ? undefined : v)));
    expect(back.policies[0]?.config).toEqual(strip(given.cachePolicies.get('2a1b3c4d-1111-4222-8333-444455556666')));
    expect(back.policies[1]?.config).toEqual(strip(given.originRequestPolicies.get('3b2c4d5e-2222-4333-8444-555566667777')));
    expect(back.policies[2]?.config).toEqual(strip(given.responseHeadersPolicies.get('4c3d5e6f-3333-4444-8555-666677778888')));
    expect(back.policies[3]).toEqual({ kind: 'KeyGroup', id: '5e6f7a8b-4444-4555-8666-777788889999', config: given.keyGroups.get('5e6f7a8b-4444-4555-8666-777788889999') });
    const { CallerReference: _ref, ...key } = given.publicKeys.get('K2JCJMDEHXQW5F') ?? {};
    expect(back.policies[4]).toMatchObject({ kind: 'PublicKey', id: 'K2JCJMDEHXQW5F', config: key });
    const origins = (d: Obj): unknown[] =>
      items(d.Origins).map((o) => {
        const x = isObj(o) ? o : {};
        const c = isObj(x.CustomOriginConfig) ? x.CustomOriginConfig : {};
        return [x.Id, x.OriginPath, items(x.CustomHeaders), x.ConnectionTimeout, c.OriginReadTimeout, c.OriginKeepaliveTimeout, items(c.OriginSslProtocols)];
      });
    expect(origins(dc)).toEqual(origins(original));
    expect(items(dc.CustomErrorResponses)).toEqual(items(original.CustomErrorResponses));
    expect(dc.OriginGroups).toEqual(original.OriginGroups);
    expect(dc.Restrictions).toEqual(original.Restrictions);
    expect(dc.HttpVersion).toBe(original.HttpVersion);
  });
});
