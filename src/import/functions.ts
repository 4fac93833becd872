// The functions a distribution's behaviors name, each defined once however many behaviors share it:
// Lambda@Edge (LambdaFunctionAssociations[].LambdaFunctionARN) and CloudFront Functions
// (FunctionAssociations[].FunctionARN, docs/cloudfront-reference.md §20), with the key value
// stores a CloudFront Function reads (§27). Code comes from the template (inline code, a CDK asset)
// or from --function-map; a store's data from the template's CDK asset or from --kvs-map.

import { readFileSync } from 'node:fs';
import { DEFAULT_CFF_RUNTIME } from '../config/defaults.js';
import { FUNCTION_RUNTIMES } from '../config/schema.js';
import { RUNTIME_COMMENT } from '../config/sources.js';
import type { FunctionDef, KeyValueStoreDef, MapContext, MapSink } from './context.js';

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → its parts. */
export function parseLambdaArn(arn: string): { name: string; qualifier: string | undefined; unqualified: string } | undefined {
  const m = /^(arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+))(?::([^:]+))?$/.exec(arn);
  if (m === null) return undefined;
  return { name: m[2] ?? '', qualifier: m[3], unqualified: m[1] ?? arn };
}

/** `arn:aws:cloudfront::ACCOUNT:function/NAME` → NAME (CloudFront API Reference, FunctionAssociation). */
function parseCffArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:cloudfront::[^:]*:function\/([^/]+)$/.exec(arn)?.[1];
}

/** `arn:aws:cloudfront::ACCOUNT:key-value-store/ID` → ID. */
function parseKvsArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:cloudfront::[^:]*:key-value-store\/([0-9a-f-]{36})$/.exec(arn)?.[1];
}

/** The function shown in a message: an ARN, or the template resource a `cfn:` reference names. */
const shown = (ref: string): string => (ref.startsWith('cfn:') ? `the template's ${ref.slice(4)}` : ref);
const flagKey = (ref: string): string => (ref.startsWith('cfn:') ? ref.slice(4) : ref);

/** The runtime a file's first line names (`// cloudfront-js-1.0`), as the CLI's --cff reads it. */
function runtimeComment(file: string): string | undefined {
  try {
    return RUNTIME_COMMENT.exec(readFileSync(file, 'utf8').split('\n', 1)[0] ?? '')?.[1];
  } catch {
    return undefined; // a missing file is reported by the config loader, naming the field
  }
}

const isRuntime = (r: string | undefined): r is NonNullable<FunctionDef['runtime']> => (FUNCTION_RUNTIMES as readonly string[]).includes(r ?? '');

export class FunctionRegistry {
  readonly functions: FunctionDef[] = [];
  readonly keyValueStores: KeyValueStoreDef[] = [];
  /** ARN (or `cfn:` reference) → function id. */
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** KVS key (`cfn:Id` or ARN) → store name. */
  private readonly stores = new Map<string, string>();

  constructor(
    private readonly ctx: MapContext,
    private readonly sink: MapSink,
  ) {}

  /** A function id edgeproxy accepts (no `:`, which separates a qualifier), unique. */
  private idFor(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9._-]/g, '-');
    let id = clean;
    for (let n = 2; this.taken.has(id); n++) id = `${clean}-${n}`;
    this.taken.add(id);
    return id;
  }

  /** LambdaFunctionARN → a function id, or undefined (a problem recorded) when it has no local code. */
  lambda(arn: string, at: string): string | undefined {
    const known = this.ids.get(arn);
    if (known !== undefined) return known;
    const parsed = parseLambdaArn(arn);
    const code = this.ctx.templateCode?.get(arn) ?? this.ctx.functionMap.get(arn) ?? (parsed === undefined ? undefined : this.ctx.functionMap.get(parsed.unqualified));
    if (code === undefined) {
      this.sink.problem(`${at}: function ${shown(arn)} has no local code; map it with --function-map ${flagKey(arn)}=functions/handler.js`);
      return undefined;
    }
    const base = parsed === undefined ? flagKey(arn) : parsed.qualifier === undefined || parsed.qualifier === '$LATEST' ? parsed.name : `${parsed.name}-${parsed.qualifier}`;
    const id = this.idFor(base);
    this.ids.set(arn, id);
    this.functions.push(code.export === undefined ? { id, file: code.file } : { id, file: code.file, export: code.export });
    if (parsed?.qualifier !== undefined && parsed.qualifier !== '$LATEST') {
      this.sink.note(`${at}.LambdaFunctionARN`, arn, `runs ${code.file} as $LATEST (version ${parsed.qualifier} is not published locally)`);
    }
    return id;
  }

  /**
   * FunctionARN → a CloudFront Function's id. From a template: its inline code, runtime and key
   * value store. From --function-map: the file, the runtime its first line names (else
   * cloudfront-js-2.0: a DistributionConfig does not say), the store --kvs-map gives the ARN.
   */
  cff(arn: string, at: string): string | undefined {
    const known = this.ids.get(arn);
    if (known !== undefined) return known;
    const t = this.ctx.templateCff?.get(arn);
    let def: FunctionDef;
    if (t !== undefined) {
      if (!isRuntime(t.runtime) || !t.runtime.startsWith('cloudfront-js-')) {
        this.sink.problem(`${t.logicalId}.FunctionConfig.Runtime: ${JSON.stringify(t.runtime)} is not a CloudFront Functions runtime (cloudfront-js-1.0, cloudfront-js-2.0)`);
        return undefined;
      }
      def = { id: this.idFor(t.logicalId), file: t.file, runtime: t.runtime };
      if (t.keyValueStores.length > 1) this.sink.problem(`${t.logicalId}.FunctionConfig.KeyValueStoreAssociations: a CloudFront Function can be associated with at most one key value store, got ${t.keyValueStores.length}`);
      const kvs = t.keyValueStores[0];
      if (kvs !== undefined) {
        const name = this.store(kvs, `${t.logicalId}.FunctionConfig.KeyValueStoreAssociations`);
        if (name !== undefined) def.keyValueStore = name;
      }
    } else {
      const code = this.ctx.functionMap.get(arn);
      if (code === undefined) {
        this.sink.problem(`${at}: CloudFront Function ${shown(arn)} has no local code; map it with --function-map ${flagKey(arn)}=functions/handler.js`);
        return undefined;
      }
      if (code.export !== undefined) {
        this.sink.problem(`${at}: --function-map ${arn}=${code.file}#${code.export}: a CloudFront Function has no export (CloudFront calls its top-level function "handler")`);
        return undefined;
      }
      const named = runtimeComment(code.file);
      const runtime = isRuntime(named) ? named : DEFAULT_CFF_RUNTIME;
      if (named === undefined) {
        this.sink.note(`${at}.FunctionARN`, arn, `runs as ${runtime}: a DistributionConfig does not name the runtime (a first line "// cloudfront-js-1.0" in the file does)`);
      }
      def = { id: this.idFor(parseCffArn(arn) ?? flagKey(arn)), file: code.file, runtime };
      const data = this.ctx.kvsMap?.get(arn);
      if (data !== undefined) {
        const name = this.idFor(`${def.id}-kvs`);
        this.keyValueStores.push({ name, file: data });
        def.keyValueStore = name;
      }
    }
    this.ids.set(arn, def.id);
    this.functions.push(def);
    return def.id;
  }

  /** A KeyValueStoreARN (`cfn:LogicalId` or an ARN) → the store's name in the config. */
  private store(ref: string, at: string): string | undefined {
    const known = this.stores.get(ref);
    if (known !== undefined) return known;
    const kvsMap = this.ctx.kvsMap ?? new Map<string, string>();
    const t = this.ctx.templateKvs?.get(ref);
    let def: KeyValueStoreDef;
    if (t !== undefined) {
      const name = t.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
      const file = kvsMap.get(t.name) ?? kvsMap.get(t.logicalId) ?? t.file;
      if (file === undefined) {
        this.sink.problem(`${at}: key value store ${t.name} (the template's ${t.logicalId}) imports its data from S3; map it with --kvs-map ${t.name}=data.json (CloudFront's import format)`);
        return undefined;
      }
      def = { name, file };
    } else {
      const id = parseKvsArn(ref);
      const file = kvsMap.get(ref);
      if (id === undefined || file === undefined) {
        this.sink.problem(`${at}: key value store ${ref} has no local data; map it with --kvs-map ${ref}=data.json (CloudFront's import format)`);
        return undefined;
      }
      def = { name: id, file, id };
    }
    this.stores.set(ref, def.name);
    this.keyValueStores.push(def);
    return def.name;
  }
}
