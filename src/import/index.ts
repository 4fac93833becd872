// `--distribution FILE`: read CloudFront's own configuration, resolve a CloudFormation template's
// references, map it to edgeproxy's config input, and report what cannot be emulated. The result
// goes through loadConfig like any config file.

import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { ConfigInput } from '../config/schema.js';
import { resolveTemplate } from './cloudformation.js';
import type { LocalCode, MapContext, PolicySources } from './context.js';
import type { Obj } from './json.js';
import { mapDistribution } from './map.js';
import { readDistributionFile } from './parse.js';
import { readPolicyFiles } from './policy-files.js';
import type { NotEmulated } from './report.js';

interface ImportOptions {
  file: string;
  originMap: ReadonlyMap<string, string>;
  functionMap: ReadonlyMap<string, LocalCode>;
  /** --kvs-map: key value store (name, logical id or ARN) or CloudFront Function ARN → data file. */
  kvsMap?: ReadonlyMap<string, string>;
  /** --policy-file: files or directories of get-*-policy JSON. */
  policyFiles?: readonly string[];
  /** Which AWS::CloudFront::Distribution of a template (--logical-id). */
  logicalId?: string;
  /** Where inline code from a template is written (default ./.edgeproxy/import). */
  workDir?: string;
}

export interface Imported {
  kind: 'get-distribution-config' | 'DistributionConfig' | 'cloudformation';
  config: ConfigInput;
  notEmulated: NotEmulated[];
}

/** Template policies and --policy-file policies in one lookup (they are keyed differently: `cfn:Id` and AWS Ids). */
function mergePolicies(a: PolicySources | undefined, b: PolicySources): PolicySources {
  const m = (x: ReadonlyMap<string, Obj> | undefined, y: ReadonlyMap<string, Obj>): ReadonlyMap<string, Obj> => new Map([...(x ?? []), ...y]);
  return {
    cachePolicies: m(a?.cachePolicies, b.cachePolicies),
    originRequestPolicies: m(a?.originRequestPolicies, b.originRequestPolicies),
    responseHeadersPolicies: m(a?.responseHeadersPolicies, b.responseHeadersPolicies),
    keyGroups: m(a?.keyGroups, b.keyGroups),
    publicKeys: m(a?.publicKeys, b.publicKeys),
  };
}

export async function importDistribution(o: ImportOptions): Promise<Imported> {
  const src = await readDistributionFile(o.file);
  const fromFiles = await readPolicyFiles(o.policyFiles ?? []);
  const ctx: MapContext = { originMap: o.originMap, functionMap: o.functionMap, policies: fromFiles };
  if (o.kvsMap !== undefined) ctx.kvsMap = o.kvsMap;
  let dc: Obj;
  if (src.kind === 'cloudformation') {
    const t = resolveTemplate(src.template, {
      label: o.file,
      ...(o.logicalId === undefined ? {} : { logicalId: o.logicalId }),
      templateDir: path.dirname(path.resolve(o.file)),
      workDir: o.workDir ?? path.resolve('.edgeproxy', 'import'),
    });
    dc = t.distributionConfig;
    ctx.policies = mergePolicies(t.policies, fromFiles);
    ctx.templateCode = t.templateCode;
    ctx.templateCff = t.templateCff;
    ctx.templateKvs = t.templateKvs;
  } else {
    if (o.logicalId !== undefined) throw new ConfigError('UsageError', `--logical-id: ${o.file} is not a CloudFormation template`);
    dc = src.distributionConfig;
  }
  const r = mapDistribution(dc, ctx);
  if (r.problems.length > 0) throw new ConfigError('InvalidConfig', r.problems.map((p) => `${o.file}: ${p}`).join('\n'));
  return { kind: src.kind, config: r.config, notEmulated: r.notEmulated };
}
