// `--distribution FILE`: read CloudFront's own configuration, resolve a CloudFormation template's
// references, map it to edgeproxy's config input, and report what cannot be emulated. The result
// goes through loadConfig like any config file.

import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { ConfigInput } from '../config/schema.js';
import { resolveTemplate } from './cloudformation.js';
import type { Obj } from './json.js';
import { type LocalCode, type MapContext, mapDistribution } from './map.js';
import { readDistributionFile } from './parse.js';
import type { NotEmulated } from './report.js';

export interface ImportOptions {
  file: string;
  originMap: ReadonlyMap<string, string>;
  functionMap: ReadonlyMap<string, LocalCode>;
  /** Which AWS::CloudFront::Distribution of a template (--logical-id). */
  logicalId?: string;
  /** Where inline Lambda code from a template is written (default ./.edgeproxy/import). */
  workDir?: string;
}

export interface Imported {
  kind: 'get-distribution-config' | 'DistributionConfig' | 'cloudformation';
  config: ConfigInput;
  notEmulated: NotEmulated[];
}

export async function importDistribution(o: ImportOptions): Promise<Imported> {
  const src = await readDistributionFile(o.file);
  const ctx: MapContext = { originMap: o.originMap, functionMap: o.functionMap };
  let dc: Obj;
  if (src.kind === 'cloudformation') {
    const t = resolveTemplate(src.template, {
      label: o.file,
      ...(o.logicalId === undefined ? {} : { logicalId: o.logicalId }),
      templateDir: path.dirname(path.resolve(o.file)),
      workDir: o.workDir ?? path.resolve('.edgeproxy', 'import'),
    });
    dc = t.distributionConfig;
    Object.assign(ctx, { cachePolicies: t.cachePolicies, originRequestPolicies: t.originRequestPolicies, responseHeadersPolicies: t.responseHeadersPolicies, templateCode: t.templateCode });
  } else {
    if (o.logicalId !== undefined) throw new ConfigError('UsageError', `--logical-id: ${o.file} is not a CloudFormation template`);
    dc = src.distributionConfig;
  }
  const r = mapDistribution(dc, ctx);
  if (r.problems.length > 0) throw new ConfigError('InvalidConfig', r.problems.map((p) => `${o.file}: ${p}`).join('\n'));
  return { kind: src.kind, config: r.config, notEmulated: r.notEmulated };
}
