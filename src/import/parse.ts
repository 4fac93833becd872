// Reading a distribution file: the JSON of `aws cloudfront get-distribution-config`
// (`{ ETag, DistributionConfig }`), a bare DistributionConfig, or a CloudFormation template (JSON or
// YAML) with AWS::CloudFront::Distribution resources. Says which form it found.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { isObj, type Obj } from './json.js';
import { parseTemplateText } from './yaml.js';

type DistributionSource =
  | { kind: 'get-distribution-config' | 'DistributionConfig'; distributionConfig: Obj }
  | { kind: 'cloudformation'; template: Obj };

export async function readDistributionFile(file: string): Promise<DistributionSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError('ConfigFileNotFound', `${file}: distribution file not found (${path.resolve(file)})`);
  }
  const ext = path.extname(file).toLowerCase();
  let data: unknown;
  if (ext === '.yaml' || ext === '.yml' || (ext !== '.json' && !/^\s*[{[]/.test(text))) {
    data = parseTemplateText(text, file);
  } else {
    try {
      data = JSON.parse(text) as unknown;
    } catch (e) {
      throw new ConfigError('ConfigFileUnreadable', `${file}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return classify(data, file);
}

function classify(data: unknown, label: string): DistributionSource {
  if (!isObj(data)) throw new ConfigError('ConfigFileUnreadable', `${label}: expected a JSON object (get-distribution-config output, a DistributionConfig or a CloudFormation template)`);
  if (isObj(data.DistributionConfig)) return { kind: 'get-distribution-config', distributionConfig: data.DistributionConfig };
  if (isObj(data.Resources)) return { kind: 'cloudformation', template: data };
  if ('Origins' in data && 'DefaultCacheBehavior' in data) return { kind: 'DistributionConfig', distributionConfig: data };
  if (isObj(data.Distribution) && isObj(data.Distribution.DistributionConfig)) {
    // `aws cloudfront get-distribution` wraps the config one level deeper.
    return { kind: 'get-distribution-config', distributionConfig: data.Distribution.DistributionConfig };
  }
  throw new ConfigError(
    'ConfigFileUnreadable',
    `${label}: not a distribution: expected "DistributionConfig" (aws cloudfront get-distribution-config), "Origins" and "DefaultCacheBehavior" (a bare DistributionConfig), or "Resources" (a CloudFormation template)`,
  );
}
