// What every part of the mapping shares: the user's maps (flags), what a CloudFormation template or
// a --policy-file defines, and the sink for problems and not-emulated rows. The mapping itself is
// one file per section of DistributionConfig (origins.ts, behaviors.ts, policies.ts, functions.ts, …);
// map.ts runs them in order.

import type { ConfigInput } from '../config/schema.js';
import { type Obj, show } from './json.js';
import type { NotEmulated } from './report.js';

export type Behavior = NonNullable<ConfigInput['behaviors']>[number];
export type Origin = ConfigInput['origins'][number];
export type FunctionDef = NonNullable<ConfigInput['functions']>[number];
export type KeyValueStoreDef = NonNullable<ConfigInput['keyValueStores']>[number];
export type CachePolicyIn = Exclude<NonNullable<Behavior['cachePolicy']>, string>;
export type ResponseHeadersPolicyIn = Exclude<NonNullable<Behavior['responseHeadersPolicy']>, string>;
export type OriginRequestPolicyIn = Exclude<NonNullable<Behavior['originRequestPolicy']>, string | null>;

/** A function's code on this machine: from --function-map or from the template. */
export interface LocalCode {
  file: string;
  export?: string;
}

/** An AWS::CloudFront::Function of a template: its inline code written to a file. */
export interface TemplateCff {
  logicalId: string;
  file: string;
  /** FunctionConfig.Runtime. */
  runtime: string | undefined;
  /** FunctionConfig.KeyValueStoreAssociations[].KeyValueStoreARN, resolved (`cfn:LogicalId` or an ARN). */
  keyValueStores: string[];
}

/** An AWS::CloudFront::KeyValueStore of a template. */
export interface TemplateKvs {
  logicalId: string;
  /** Properties.Name (the logical id when absent). */
  name: string;
  /** The data file when the template's ImportSource is a CDK asset beside the template. */
  file: string | undefined;
}

/** What a DistributionConfig names by ID: policies, key groups, public keys. */
export interface PolicySources {
  /** The body (`CachePolicyConfig` …) by the value a behavior names it with: `cfn:LogicalId` (template) or its AWS Id (--policy-file). */
  cachePolicies: ReadonlyMap<string, Obj>;
  originRequestPolicies: ReadonlyMap<string, Obj>;
  responseHeadersPolicies: ReadonlyMap<string, Obj>;
  /** KeyGroupConfig / PublicKeyConfig (docs/cloudfront-reference.md §15.1). */
  keyGroups: ReadonlyMap<string, Obj>;
  publicKeys: ReadonlyMap<string, Obj>;
}

export interface MapContext {
  /** Origin DomainName (or Id) → local URL (--origin-map). */
  originMap: ReadonlyMap<string, string>;
  /** Function ARN (with or without its version) → local code (--function-map). */
  functionMap: ReadonlyMap<string, LocalCode>;
  /** Key value store name, logical id or ARN, or a CloudFront Function's ARN → data file (--kvs-map). */
  kvsMap?: ReadonlyMap<string, string>;
  /** Policies defined in the template or given with --policy-file. */
  policies?: Partial<PolicySources>;
  /** Lambda code in the template, by the value its Ref gives (`cfn:LogicalId`). */
  templateCode?: ReadonlyMap<string, LocalCode>;
  templateCff?: ReadonlyMap<string, TemplateCff>;
  templateKvs?: ReadonlyMap<string, TemplateKvs>;
}

/** Collects what stops an import and what cannot be emulated, in the order met. */
export class MapSink {
  readonly problems: string[] = [];
  readonly notEmulated: NotEmulated[] = [];
  problem(line: string): void {
    this.problems.push(line);
  }

  note(field: string, value: unknown, note: string): void {
    this.notEmulated.push({ field, value: show(value), note });
  }
}
