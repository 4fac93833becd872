// What a FunctionName + Qualifier names, and the per-function state the Lambda API can change at run
// time: aliases (with weighted routing), reserved concurrency, and asynchronous invocation configs.
// Versions are the code registry's (runtime/code.ts), the same store `edgeproxy publish` writes.
// Resolving is a few map lookups; everything else runs only on control-plane calls.

import { randomUUID } from 'node:crypto';
import type { ResolvedLambdaConfig, ResolvedLambdaFunction } from '../config/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { DEFAULT_INVOKE_TIMEOUT_MS, DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../config/defaults.js';
import type { CodeRef } from '../runtime/code-types.js';
import type { LocalCodeSource } from '../runtime/code.js';
import { LambdaApiError } from './errors.js';
import { LATEST, VERSION_NUMBER } from './limits.js';
import { type ArnScope, type FunctionRef, functionArn } from './names.js';

export interface AliasState {
  name: string;
  /** The primary version: every invocation the additional version does not get. */
  functionVersion: string;
  /** At most one other version and its share (0-1) of invocations. */
  additional: { version: string; weight: number } | undefined;
  description: string;
  revisionId: string;
}

/** Lambda's FunctionEventInvokeConfig for one function or qualifier. */
export interface EventInvokeConfig {
  maximumRetryAttempts: number | undefined;
  maximumEventAgeSeconds: number | undefined;
  onSuccess: string | undefined;
  onFailure: string | undefined;
  /** Seconds since the epoch, as Lambda's LastModified of this type. */
  lastModified: number;
}

/** One invocation's target, after aliases are drawn. */
export interface Target {
  fn: ResolvedFunction;
  /** The qualifier as invoked (`$LATEST` when none): which event-invoke config applies, and the ARN's tail. */
  invoked: string;
  /** The version that runs: `$LATEST` or a number. */
  version: string;
  code: CodeRef;
}

/** The async settings an event runs with, Lambda's defaults filled in. */
export interface AsyncSettings {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onSuccess: string | undefined;
  onFailure: string | undefined;
  deadLetterQueue: string | undefined;
}

interface RoutingOptions {
  functions: ReadonlyMap<string, ResolvedFunction>;
  code: LocalCodeSource;
  lambda: ResolvedLambdaConfig;
  /** Draws the alias's version per invocation (docs/cloudfront-reference.md §9.1). */
  random?: () => number;
  /** Called when PutFunctionConcurrency changes a reservation, so the runtime applies it. */
  onReservedConcurrency?: (functionId: string, reserved: number | undefined) => void;
  accountConcurrency: number;
}

const NO_LAMBDA_SETTINGS: ResolvedLambdaFunction = Object.freeze({
  timeoutMs: undefined,
  maximumRetryAttempts: undefined,
  maximumEventAgeSeconds: undefined,
  onSuccess: undefined,
  onFailure: undefined,
  deadLetterQueue: undefined,
});

export class Routing {
  readonly scope: ArnScope;
  readonly accountConcurrency: number;
  private readonly functions: ReadonlyMap<string, ResolvedFunction>;
  private readonly code: LocalCodeSource;
  private readonly settings: ReadonlyMap<string, ResolvedLambdaFunction>;
  private readonly random: () => number;
  private readonly onReserved: ((functionId: string, reserved: number | undefined) => void) | undefined;
  private readonly aliases = new Map<string, Map<string, AliasState>>();
  private readonly reserved = new Map<string, number | undefined>();
  /** ResolvedFunction with the current reservation, made once per change (the runtime reads it per call). */
  private readonly effective = new Map<string, ResolvedFunction>();
  private readonly eventConfigs = new Map<string, Map<string, EventInvokeConfig>>();

  constructor(opts: RoutingOptions) {
    this.functions = opts.functions;
    this.code = opts.code;
    this.settings = opts.lambda.functions;
    this.scope = { region: opts.lambda.region, accountId: opts.lambda.accountId };
    this.random = opts.random ?? Math.random;
    this.onReserved = opts.onReservedConcurrency;
    this.accountConcurrency = opts.accountConcurrency;
    const started = Date.now() / 1000;
    for (const fn of opts.functions.values()) {
      const table = new Map<string, AliasState>();
      for (const a of fn.aliases?.values() ?? []) {
        table.set(a.name, { name: a.name, functionVersion: a.version, additional: a.additional, description: '', revisionId: randomUUID() });
      }
      this.aliases.set(fn.id, table);
      this.reserved.set(fn.id, fn.reservedConcurrency);
      this.effective.set(fn.id, fn);
      const s = this.settings.get(fn.id);
      const configs = new Map<string, EventInvokeConfig>();
      if (s !== undefined && (s.maximumRetryAttempts !== undefined || s.maximumEventAgeSeconds !== undefined || s.onFailure !== undefined || s.onSuccess !== undefined)) {
        configs.set(LATEST, { maximumRetryAttempts: s.maximumRetryAttempts, maximumEventAgeSeconds: s.maximumEventAgeSeconds, onSuccess: s.onSuccess, onFailure: s.onFailure, lastModified: started });
      }
      this.eventConfigs.set(fn.id, configs);
    }
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  /** The function, or 404 with Lambda's message. */
  fn(name: string): ResolvedFunction {
    const fn = this.effective.get(name);
    if (fn === undefined) throw notFound(this.scope, name);
    return fn;
  }

  lambdaSettings(name: string): ResolvedLambdaFunction {
    return this.settings.get(name) ?? NO_LAMBDA_SETTINGS;
  }

  /** The Invoke API's timeout: `lambda.functions[].timeout`, else the function's, else Lambda's 3 s. */
  timeoutMs(fn: ResolvedFunction): number {
    return this.settings.get(fn.id)?.timeoutMs ?? fn.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
  }

  /** Resolves a reference for one invocation: an alias draws its version now. */
  target(ref: FunctionRef): Target {
    const fn = this.fn(ref.name);
    const q = ref.qualifier ?? LATEST;
    if (q === LATEST) return { fn, invoked: LATEST, version: LATEST, code: this.code.resolve(fn.id, undefined) };
    if (VERSION_NUMBER.test(q)) return { fn, invoked: q, version: q, code: this.versionCode(fn, q) };
    const alias = this.aliases.get(fn.id)?.get(q);
    if (alias === undefined) throw notFound(this.scope, fn.id, q);
    const version = alias.additional !== undefined && this.random() < alias.additional.weight ? alias.additional.version : alias.functionVersion;
    return { fn, invoked: q, version, code: version === LATEST ? this.code.resolve(fn.id, undefined) : this.versionCode(fn, version) };
  }

  private versionCode(fn: ResolvedFunction, version: string): CodeRef {
    if (!this.hasVersion(fn.id, version)) throw notFound(this.scope, fn.id, version);
    return this.code.resolve(fn.id, version);
  }

  hasVersion(functionId: string, version: string): boolean {
    if (version === LATEST) return true;
    return this.code.versions(functionId).some((v) => v.version === version);
  }

  /** 404 unless the qualifier (version or alias) exists. */
  checkQualifier(name: string, qualifier: string | undefined): void {
    if (qualifier === undefined || qualifier === LATEST) return;
    if (VERSION_NUMBER.test(qualifier)) {
      if (!this.hasVersion(name, qualifier)) throw notFound(this.scope, name, qualifier);
      return;
    }
    if (this.aliases.get(name)?.get(qualifier) === undefined) throw notFound(this.scope, name, qualifier);
  }

  // ---- aliases ---------------------------------------------------------------------------------

  aliasList(name: string): AliasState[] {
    this.fn(name);
    return [...(this.aliases.get(name)?.values() ?? [])];
  }

  alias(name: string, alias: string): AliasState {
    const a = this.aliases.get(this.fn(name).id)?.get(alias);
    if (a === undefined) throw new LambdaApiError('ResourceNotFoundException', `Alias not found: ${functionArn(this.scope, name, alias)}`);
    return a;
  }

  /** CreateAlias / UpdateAlias after their checks (control.ts): replaces the alias's state. */
  setAlias(name: string, state: Omit<AliasState, 'revisionId'>): AliasState {
    this.fn(name);
    const full: AliasState = { ...state, revisionId: randomUUID() };
    this.aliases.get(name)?.set(state.name, full);
    return full;
  }

  deleteAlias(name: string, alias: string): void {
    this.fn(name);
    this.aliases.get(name)?.delete(alias);
  }

  // ---- reserved concurrency --------------------------------------------------------------------

  reservedConcurrency(name: string): number | undefined {
    this.fn(name);
    return this.reserved.get(name);
  }

  /** Total reserved across functions, optionally leaving one out (PutFunctionConcurrency's check). */
  reservedTotal(except?: string): number {
    let n = 0;
    for (const [id, r] of this.reserved) if (id !== except) n += r ?? 0;
    return n;
  }

  setReservedConcurrency(name: string, reserved: number | undefined): void {
    const base = this.fn(name);
    this.reserved.set(name, reserved);
    this.effective.set(name, Object.freeze({ ...base, reservedConcurrency: reserved }));
    this.onReserved?.(name, reserved);
  }

  // ---- asynchronous invocation configs ---------------------------------------------------------

  eventConfig(name: string, qualifier: string): EventInvokeConfig | undefined {
    return this.eventConfigs.get(this.fn(name).id)?.get(qualifier);
  }

  eventConfigList(name: string): Array<[string, EventInvokeConfig]> {
    return [...(this.eventConfigs.get(this.fn(name).id) ?? new Map<string, EventInvokeConfig>())];
  }

  setEventConfig(name: string, qualifier: string, c: EventInvokeConfig): void {
    this.eventConfigs.get(this.fn(name).id)?.set(qualifier, c);
  }

  deleteEventConfig(name: string, qualifier: string): boolean {
    return this.eventConfigs.get(this.fn(name).id)?.delete(qualifier) ?? false;
  }

  /**
   * The settings an async event of `invoked` runs with: the config of that qualifier, else of the
   * unqualified function, Lambda's defaults for what neither sets (docs/decisions.md).
   */
  asyncSettings(name: string, invoked: string): AsyncSettings {
    const own = this.eventConfig(name, invoked) ?? this.eventConfig(name, LATEST);
    return {
      maximumRetryAttempts: own?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeSeconds: own?.maximumEventAgeSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
      onSuccess: own?.onSuccess,
      onFailure: own?.onFailure,
      deadLetterQueue: this.lambdaSettings(name).deadLetterQueue,
    };
  }
}

/** Lambda's 404 for a function, version or alias: the ARN names what was asked for. */
function notFound(scope: ArnScope, name: string, qualifier?: string): LambdaApiError {
  return new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionArn(scope, name, qualifier)}`);
}
