// A CloudFormation template → one AWS::CloudFront::Distribution's DistributionConfig with its
// intrinsic functions resolved against the same template (AWS CloudFormation User Guide, "Intrinsic
// function reference"): Ref and Fn::GetAtt to policies and functions become `cfn:LogicalId`, which
// the mapper looks up in the policies and code collected here; Fn::Sub, Fn::Join and Fn::Select
// are evaluated; parameters take their Default. Inline Lambda code (Code.ZipFile) and CloudFront
// Functions' FunctionCode are written to files; a CDK asset (Metadata "aws:asset:path", or the
// `asset.HASH` that an S3Key / SourceArn `HASH.zip` / `HASH.json` names, as `cdk synth` lays out
// cdk.out) is read from beside the template.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { isObj, obj, type Obj, str } from './json.js';
import type { LocalCode, PolicySources, TemplateCff, TemplateKvs } from './context.js';

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'edgeproxy-local',
  'AWS::StackId': 'arn:aws:cloudformation:us-east-1:123456789012:stack/edgeproxy-local/local',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Types whose Ref / GetAtt the mapper resolves from the template. */
const LINKED = new Set([
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginRequestPolicy',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudFront::Function',
  'AWS::CloudFront::KeyValueStore',
  'AWS::CloudFront::KeyGroup',
  'AWS::CloudFront::PublicKey',
  'AWS::Lambda::Function',
  'AWS::Lambda::Version',
]);

const NO_VALUE = Symbol('AWS::NoValue');

interface ResolvedTemplate {
  logicalId: string;
  distributionConfig: Obj;
  policies: PolicySources;
  templateCode: Map<string, LocalCode>;
  templateCff: Map<string, TemplateCff>;
  templateKvs: Map<string, TemplateKvs>;
}

/** A CDK asset beside the template that an S3 object key names: `HASH.zip` → `asset.HASH`. */
function assetFor(templateDir: string, s3Key: string | undefined): string | undefined {
  const key = s3Key?.split('/').pop();
  if (key === undefined || !/^[0-9a-f]{64}\.(zip|json)$/.test(key)) return undefined;
  const base = path.join(templateDir, `asset.${key.endsWith('.zip') ? key.slice(0, -4) : key}`);
  return existsSync(base) ? base : undefined;
}

export function resolveTemplate(template: Obj, opts: { label: string; logicalId?: string; templateDir: string; workDir: string }): ResolvedTemplate {
  const resources = obj(template.Resources) ?? {};
  const parameters = obj(template.Parameters) ?? {};
  const typeOf = (id: string): string | undefined => str(obj(resources[id])?.Type);
  const dists = Object.keys(resources).filter((id) => typeOf(id) === 'AWS::CloudFront::Distribution');
  let logicalId = opts.logicalId;
  if (logicalId === undefined) {
    if (dists.length === 0) throw new ConfigError('ConfigFileUnreadable', `${opts.label}: the template has no AWS::CloudFront::Distribution resource`);
    if (dists.length > 1) throw new ConfigError('UsageError', `${opts.label}: the template has ${dists.length} distributions (${dists.join(', ')}); pick one with --logical-id ID`);
    logicalId = dists[0] ?? '';
  } else if (!dists.includes(logicalId)) {
    throw new ConfigError('UsageError', `--logical-id ${logicalId}: no AWS::CloudFront::Distribution with that logical id in ${opts.label} (found: ${dists.join(', ') || 'none'})`);
  }

  const fail = (where: string, msg: string): never => {
    throw new ConfigError('InvalidConfig', `${opts.label}: ${where}: ${msg}`);
  };
  const ref = (name: string, where: string): unknown => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = PSEUDO[name];
    if (pseudo !== undefined) return pseudo;
    const p = obj(parameters[name]);
    if (p !== undefined) {
      if (p.Default === undefined) fail(where, `parameter ${name} has no Default; give it one in the template`);
      return p.Default;
    }
    const type = typeOf(name);
    if (type === undefined) return fail(where, `Ref to ${name}, which is neither a parameter nor a resource of this template`);
    return LINKED.has(type) ? `cfn:${name}` : `<${name}>`;
  };
  const getAtt = (target: unknown, where: string): string => {
    const [id, attr] = Array.isArray(target) ? target.map(String) : String(target).split('.');
    if (id === undefined || attr === undefined) return fail(where, `Fn::GetAtt needs [LogicalId, Attribute], got ${JSON.stringify(target)}`);
    const type = typeOf(id);
    if (type === undefined) return fail(where, `Fn::GetAtt to ${id}, which is not a resource of this template`);
    return LINKED.has(type) ? `cfn:${id}` : `<${id}.${attr}>`;
  };
  const sub = (s: string, vars: Obj, where: string): string =>
    s.replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) => {
      if (bang === '!') return `\${${name}}`;
      if (name in vars) return String(resolve(vars[name], where));
      if (name.includes('.') && !name.startsWith('AWS::')) return getAtt(name, where);
      return String(ref(name, where));
    });
  const resolve = (v: unknown, where: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => resolve(x, `${where}[${i}]`)).filter((x) => x !== NO_VALUE);
    if (!isObj(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const k = keys[0] ?? '';
      const arg = v[k];
      switch (k) {
        case 'Ref':
          return ref(String(arg), where);
        case 'Fn::GetAtt':
          return getAtt(arg, where);
        case 'Fn::Sub': {
          if (typeof arg === 'string') return sub(arg, {}, where);
          if (Array.isArray(arg) && typeof arg[0] === 'string') return sub(arg[0], obj(arg[1]) ?? {}, where);
          return fail(where, `Fn::Sub needs a string or [string, variables], got ${JSON.stringify(arg)}`);
        }
        case 'Fn::Join': {
          const [delim, list] = Array.isArray(arg) ? arg : [];
          const parts = resolve(list, where);
          if (typeof delim !== 'string' || !Array.isArray(parts)) return fail(where, 'Fn::Join needs [delimiter, [values]]');
          return parts.map(String).join(delim);
        }
        case 'Fn::Select': {
          const [index, list] = Array.isArray(arg) ? arg : [];
          const parts = resolve(list, where);
          const n = Number(resolve(index, where));
          if (!Array.isArray(parts) || !(n >= 0 && n < parts.length)) return fail(where, 'Fn::Select needs [index, [values]] with the index in range');
          return parts[n];
        }
        default:
          if (k.startsWith('Fn::')) return fail(where, `${k} is not supported by the import; replace it with its value`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolve(x, `${where}.${k}`);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };

  const props = (id: string): Obj => obj(resolve(obj(resources[id])?.Properties ?? {}, id)) ?? {};
  const distributionConfig = obj(props(logicalId).DistributionConfig);
  if (distributionConfig === undefined) return fail(logicalId, 'Properties.DistributionConfig is missing');

  const cachePolicies = new Map<string, Obj>();
  const originRequestPolicies = new Map<string, Obj>();
  const responseHeadersPolicies = new Map<string, Obj>();
  const keyGroups = new Map<string, Obj>();
  const publicKeys = new Map<string, Obj>();
  const templateCode = new Map<string, LocalCode>();
  const templateCff = new Map<string, TemplateCff>();
  const templateKvs = new Map<string, TemplateKvs>();
  const writeWork = (name: string, text: string): string => {
    mkdirSync(opts.workDir, { recursive: true });
    const file = path.join(opts.workDir, name);
    writeFileSync(file, text);
    return file;
  };
  for (const id of Object.keys(resources)) {
    const type = typeOf(id);
    if (type === 'AWS::CloudFront::CachePolicy') {
      const c = obj(props(id).CachePolicyConfig);
      if (c !== undefined) cachePolicies.set(`cfn:${id}`, c);
    } else if (type === 'AWS::CloudFront::OriginRequestPolicy') {
      const c = obj(props(id).OriginRequestPolicyConfig);
      if (c !== undefined) originRequestPolicies.set(`cfn:${id}`, c);
    } else if (type === 'AWS::CloudFront::ResponseHeadersPolicy') {
      const c = obj(props(id).ResponseHeadersPolicyConfig);
      if (c !== undefined) responseHeadersPolicies.set(`cfn:${id}`, c);
    } else if (type === 'AWS::CloudFront::KeyGroup') {
      const c = obj(props(id).KeyGroupConfig);
      if (c !== undefined) keyGroups.set(`cfn:${id}`, c);
    } else if (type === 'AWS::CloudFront::PublicKey') {
      const c = obj(props(id).PublicKeyConfig);
      if (c !== undefined) publicKeys.set(`cfn:${id}`, c);
    } else if (type === 'AWS::CloudFront::Function') {
      // AWS::CloudFront::Function: FunctionCode is the code itself; FunctionConfig.Runtime and
      // KeyValueStoreAssociations[].KeyValueStoreARN (AWS CloudFormation User Guide).
      const p = props(id);
      const code = str(p.FunctionCode);
      if (code === undefined) fail(id, 'Properties.FunctionCode is missing (a CloudFront Function\'s code is inline in the template)');
      const cfg = obj(p.FunctionConfig) ?? {};
      const stores = (Array.isArray(cfg.KeyValueStoreAssociations) ? cfg.KeyValueStoreAssociations : []).flatMap((a) => str(obj(a)?.KeyValueStoreARN) ?? []);
      templateCff.set(`cfn:${id}`, { logicalId: id, file: writeWork(`${id}.js`, code ?? ''), runtime: str(cfg.Runtime), keyValueStores: stores });
    } else if (type === 'AWS::CloudFront::KeyValueStore') {
      // No ImportSource: the store starts empty, as CloudFront creates it.
      const p = props(id);
      const source = obj(p.ImportSource);
      const file = source === undefined ? writeWork(`${id}.kvs.json`, '{ "data": [] }\n') : assetFor(opts.templateDir, str(source.SourceArn));
      templateKvs.set(`cfn:${id}`, { logicalId: id, name: str(p.Name) ?? id, file });
    }
  }
  const lambdaCode = (fnId: string, where: string): LocalCode | undefined => {
    const res = obj(resources[fnId]) ?? {};
    const p = props(fnId);
    const handler = str(p.Handler) ?? 'index.handler';
    const dot = handler.lastIndexOf('.');
    const modulePath = dot === -1 ? 'index' : handler.slice(0, dot);
    const exportName = dot === -1 ? handler : handler.slice(dot + 1);
    const zip = str(obj(p.Code)?.ZipFile);
    if (zip !== undefined) {
      // Inline code is CommonJS (`exports.handler = …`) in Lambda's Node.js runtimes.
      return { file: writeWork(`${fnId}.cjs`, zip), export: exportName };
    }
    const asset = str(obj(res.Metadata)?.['aws:asset:path']) ?? assetFor(opts.templateDir, str(obj(p.Code)?.S3Key));
    if (asset !== undefined) {
      const base = path.resolve(opts.templateDir, asset, modulePath);
      for (const ext of ['.js', '.mjs', '.cjs']) if (existsSync(base + ext)) return { file: base + ext, export: exportName };
      return fail(where, `the CDK asset ${asset} has no ${modulePath}.js/.mjs/.cjs (Handler "${handler}"); run cdk synth again`);
    }
    return undefined;
  };
  for (const id of Object.keys(resources)) {
    const type = typeOf(id);
    if (type === 'AWS::Lambda::Function') {
      const code = lambdaCode(id, id);
      if (code !== undefined) templateCode.set(`cfn:${id}`, code);
    } else if (type === 'AWS::Lambda::Version') {
      const fn = str(props(id).FunctionName);
      if (fn?.startsWith('cfn:') === true && typeOf(fn.slice(4)) === 'AWS::Lambda::Function') {
        const code = lambdaCode(fn.slice(4), id);
        if (code !== undefined) templateCode.set(`cfn:${id}`, code);
      }
    }
  }
  return { logicalId, distributionConfig, policies: { cachePolicies, originRequestPolicies, responseHeadersPolicies, keyGroups, publicKeys }, templateCode, templateCff, templateKvs };
}
