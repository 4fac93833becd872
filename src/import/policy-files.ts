// --policy-file FILE|DIR: what a get-distribution-config output names only by ID — custom policies,
// key groups and public keys. Each file is the JSON of `aws cloudfront get-cache-policy`,
// `get-origin-request-policy`, `get-response-headers-policy`, `get-key-group` or `get-public-key`
// (`{ ETag, CachePolicy: { Id, CachePolicyConfig } }` …), or of `list-*-policies --type custom` /
// `list-key-groups`; a directory gives every *.json in it. Read once at start.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { PolicySources } from './context.js';
import { isObj, items, obj, type Obj, str } from './json.js';

const KINDS = [
  { key: 'CachePolicy', config: 'CachePolicyConfig', list: 'CachePolicyList', into: 'cachePolicies', command: 'get-cache-policy' },
  { key: 'OriginRequestPolicy', config: 'OriginRequestPolicyConfig', list: 'OriginRequestPolicyList', into: 'originRequestPolicies', command: 'get-origin-request-policy' },
  { key: 'ResponseHeadersPolicy', config: 'ResponseHeadersPolicyConfig', list: 'ResponseHeadersPolicyList', into: 'responseHeadersPolicies', command: 'get-response-headers-policy' },
  { key: 'KeyGroup', config: 'KeyGroupConfig', list: 'KeyGroupList', into: 'keyGroups', command: 'get-key-group' },
  // list-public-keys gives summaries without PublicKeyConfig; get-public-key is the form read.
  { key: 'PublicKey', config: 'PublicKeyConfig', list: 'PublicKey-no-list', into: 'publicKeys', command: 'get-public-key' },
] as const;

type Into = (typeof KINDS)[number]['into'];

async function filesOf(p: string): Promise<string[]> {
  const st = await stat(p).catch(() => undefined);
  if (st === undefined) throw new ConfigError('ConfigFileNotFound', `--policy-file ${p}: file not found (${path.resolve(p)})`);
  if (!st.isDirectory()) return [p];
  const names = (await readdir(p)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  if (names.length === 0) throw new ConfigError('ConfigFileUnreadable', `--policy-file ${p}: the directory holds no .json file`);
  return names.map((n) => path.join(p, n));
}

export async function readPolicyFiles(paths: readonly string[]): Promise<PolicySources> {
  const out: Record<Into, Map<string, Obj>> = {
    cachePolicies: new Map(),
    originRequestPolicies: new Map(),
    responseHeadersPolicies: new Map(),
    keyGroups: new Map(),
    publicKeys: new Map(),
  };
  const from = new Map<string, string>();
  const add = (into: Into, entry: unknown, file: string, key: string): void => {
    const kind = KINDS.find((k) => k.into === into);
    const e = obj(entry) ?? {};
    const id = str(e.Id);
    const config = kind === undefined ? undefined : obj(e[kind.config]);
    if (id === undefined || config === undefined) throw new ConfigError('ConfigFileUnreadable', `--policy-file ${file}: ${key} needs "Id" and "${kind?.config}"`);
    const seen = out[into].get(id);
    if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(config)) {
      throw new ConfigError('ConfigFileUnreadable', `--policy-file ${file}: ${kind?.key} ${id} is also in ${from.get(`${into}:${id}`)}, with a different ${kind?.config}`);
    }
    out[into].set(id, config);
    from.set(`${into}:${id}`, file);
  };
  for (const p of paths) {
    for (const file of await filesOf(p)) {
      let data: unknown;
      try {
        data = JSON.parse(await readFile(file, 'utf8')) as unknown;
      } catch (e) {
        throw new ConfigError('ConfigFileUnreadable', `--policy-file ${file}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!isObj(data)) throw new ConfigError('ConfigFileUnreadable', `--policy-file ${file}: expected a JSON object`);
      let found = false;
      for (const k of KINDS) {
        if (data[k.key] !== undefined) {
          add(k.into, data[k.key], file, k.key);
          found = true;
        }
        const list = obj(data[k.list]);
        if (list !== undefined) {
          items(list).forEach((x, i) => {
            add(k.into, obj(x)?.[k.key], file, `${k.list}.Items[${i}].${k.key}`);
          });
          found = true;
        }
      }
      const bare = KINDS.find((k) => data[k.config] !== undefined);
      if (!found && bare !== undefined) {
        throw new ConfigError('ConfigFileUnreadable', `--policy-file ${file}: a bare ${bare.config} has no Id; save the output of aws cloudfront ${bare.command} --id ID instead`);
      }
      if (!found) {
        throw new ConfigError(
          'ConfigFileUnreadable',
          `--policy-file ${file}: not a policy: expected the JSON of aws cloudfront get-cache-policy, get-origin-request-policy, get-response-headers-policy, get-key-group or get-public-key ("CachePolicy", "OriginRequestPolicy", "ResponseHeadersPolicy", "KeyGroup" or "PublicKey")`,
        );
      }
    }
  }
  return out;
}
