// The control-plane operations the SDK and the AWS CLI need for the obvious round trips
// (https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html): functions and their
// configuration, versions (the code registry's, shared with `edgeproxy publish`), aliases with
// routing, reserved concurrency, asynchronous invocation configs, account settings. Nothing here runs
// per invocation.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedFunction } from '../config/types.js';
import type { LocalCodeSource, VersionInfo } from '../runtime/code.js';
import { LambdaApiError } from './errors.js';
import {
  ALIAS_NAME,
  LATEST,
  LIST_PAGE_MAX,
  MAXIMUM_EVENT_AGE_MAX_S,
  MAXIMUM_EVENT_AGE_MIN_S,
  MAXIMUM_RETRY_ATTEMPTS_MAX,
  MIN_UNRESERVED_CONCURRENCY,
  VERSION_NUMBER,
} from './limits.js';
import { functionArn, parseTargetArn } from './names.js';
import type { AliasState, EventInvokeConfig, Routing } from './routing.js';

export interface ControlDeps {
  routing: Routing;
  code: LocalCodeSource;
  /** When the listener started: $LATEST's LastModified. */
  startedAt: Date;
}

export interface Reply {
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

// ---- reading request members ----------------------------------------------------------------------

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function body(v: unknown): Json {
  if (v === undefined) return {};
  if (!isRecord(v)) throw new LambdaApiError('InvalidRequestContentException', 'the request body must be a JSON object');
  return v;
}

function str(b: Json, key: string, opts: { required?: boolean } = {}): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) {
    if (opts.required === true) throw new LambdaApiError('ValidationException', `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof v !== 'string') throw new LambdaApiError('InvalidParameterValueException', `${key} must be a string, got ${typeof v}`);
  return v;
}

function int(b: Json, key: string, min: number, max: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${String(v)}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must be an integer between ${min} and ${max}`);
  }
  return v;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `Marker` + `MaxItems` paging over a list; at most 50 per page whatever MaxItems says. */
function page<T>(items: readonly T[], query: URLSearchParams): { items: T[]; next: string | undefined } {
  const marker = query.get('Marker');
  const start = marker === null || marker === '' ? 0 : Number(marker);
  if (!Number.isInteger(start) || start < 0) throw new LambdaApiError('InvalidParameterValueException', `Marker ${JSON.stringify(marker)} is not a marker this listener gave out`);
  const maxRaw = query.get('MaxItems');
  const max = maxRaw === null ? LIST_PAGE_MAX : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${maxRaw ?? ''}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`);
  const n = Math.min(max, LIST_PAGE_MAX);
  const out = items.slice(start, start + n);
  return { items: out, next: start + n < items.length ? String(start + n) : undefined };
}

// ---- FunctionConfiguration --------------------------------------------------------------------------

/** `2026-12-03T16:00:00.000+0000`, the format Lambda's LastModified uses [U]. */
function lastModified(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/** A stable UUID-shaped id from a string (RevisionId of code that has not changed). */
function stableId(s: string): string {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function fileFacts(file: string): { size: number; sha256: string } {
  try {
    const data = readFileSync(file);
    return { size: statSync(file).size, sha256: createHash('sha256').update(data).digest('base64') };
  } catch {
    return { size: 0, sha256: '' };
  }
}

const RUNTIME = `nodejs${process.versions.node.split('.')[0] ?? '20'}.x`;

function latestRevision(d: ControlDeps, fn: ResolvedFunction): string {
  const ref = d.code.resolve(fn.id, undefined);
  return stableId(`${fn.id}\0${ref.file}\0${ref.generation}`);
}

function configuration(d: ControlDeps, fn: ResolvedFunction, version: VersionInfo | undefined): Json {
  const { routing } = d;
  const ref = version === undefined ? d.code.resolve(fn.id, undefined) : d.code.resolve(fn.id, version.version);
  const facts = fileFacts(ref.file);
  const settings = routing.lambdaSettings(fn.id);
  const c: Json = {
    FunctionName: fn.id,
    FunctionArn: functionArn(routing.scope, fn.id, version?.version),
    Runtime: RUNTIME,
    Role: `arn:aws:iam::${routing.scope.accountId}:role/edgeproxy`,
    Handler: `${path.basename(fn.file, path.extname(fn.file))}.${fn.exportName}`,
    CodeSize: facts.size,
    CodeSha256: version === undefined ? facts.sha256 : Buffer.from(version.sha256, 'hex').toString('base64'),
    Description: '',
    Timeout: Math.ceil(routing.timeoutMs(fn) / 1000),
    MemorySize: fn.memorySize,
    LastModified: lastModified(version === undefined ? d.startedAt : new Date(version.createdAt)),
    Version: version?.version ?? LATEST,
    RevisionId: version === undefined ? latestRevision(d, fn) : stableId(`${fn.id}\0${version.version}\0${version.sha256}`),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    TracingConfig: { Mode: 'PassThrough' },
  };
  if (settings.deadLetterQueue !== undefined) c.DeadLetterConfig = { TargetArn: settings.deadLetterQueue };
  return c;
}

function versionInfo(d: ControlDeps, fn: ResolvedFunction, version: string): VersionInfo | undefined {
  if (version === LATEST) return undefined;
  const v = d.code.versions(fn.id).find((x) => x.version === version);
  if (v === undefined) throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionArn(d.routing.scope, fn.id, version)}`);
  return v;
}

/** Configuration of `$LATEST`, a version, or the version an alias points at (its ARN then names the alias). */
function qualifiedConfiguration(d: ControlDeps, name: string, qualifier: string | null): Json {
  const fn = d.routing.fn(name);
  if (qualifier === null || qualifier === '' || qualifier === LATEST) return configuration(d, fn, undefined);
  if (VERSION_NUMBER.test(qualifier)) return configuration(d, fn, versionInfo(d, fn, qualifier));
  const alias = d.routing.alias(name, qualifier);
  const c = configuration(d, fn, versionInfo(d, fn, alias.functionVersion));
  c.FunctionArn = functionArn(d.routing.scope, fn.id, qualifier);
  return c;
}

// ---- operations -----------------------------------------------------------------------------------

export function listFunctions(d: ControlDeps, query: URLSearchParams): Reply {
  const all = query.get('FunctionVersion') === 'ALL';
  const items: Json[] = [];
  for (const name of d.routing.names()) {
    const fn = d.routing.fn(name);
    items.push(configuration(d, fn, undefined));
    if (all) for (const v of d.code.versions(fn.id)) items.push(configuration(d, fn, v));
  }
  const p = page(items, query);
  return { status: 200, body: p.next === undefined ? { Functions: p.items } : { Functions: p.items, NextMarker: p.next } };
}

export function getFunction(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const Configuration = qualifiedConfiguration(d, name, query.get('Qualifier'));
  const reserved = d.routing.reservedConcurrency(name);
  const out: Json = {
    Configuration,
    // No presigned URL to a zip: the code is the file on this machine.
    Code: { RepositoryType: 'S3', Location: `file://${d.routing.fn(name).file}` },
    Tags: {},
  };
  if (reserved !== undefined) out.Concurrency = { ReservedConcurrentExecutions: reserved };
  return { status: 200, body: out };
}

export function getFunctionConfiguration(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  return { status: 200, body: qualifiedConfiguration(d, name, query.get('Qualifier')) };
}

export async function publishVersion(d: ControlDeps, name: string, raw: unknown): Promise<Reply> {
  const b = body(raw);
  const fn = d.routing.fn(name);
  const revision = str(b, 'RevisionId');
  if (revision !== undefined && revision !== latestRevision(d, fn)) {
    throw new LambdaApiError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
  const sha = str(b, 'CodeSha256');
  const current = fileFacts(d.code.resolve(fn.id, undefined).file).sha256;
  if (sha !== undefined && sha !== current) {
    throw new LambdaApiError('InvalidParameterValueException', `CodeSHA256 (${sha}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`);
  }
  let out: { version: string; created: boolean };
  try {
    out = await d.code.publish(fn.id);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
    const message = e instanceof Error ? e.message : String(e);
    if (code === 'UnknownFunction') throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionArn(d.routing.scope, name)}`);
    if (code === 'Closed') throw new LambdaApiError('ServiceException', message);
    throw new LambdaApiError('InvalidParameterValueException', message);
  }
  // Unchanged code makes no new version; Lambda then returns the latest one [U] (docs/decisions.md).
  return { status: 201, body: configuration(d, fn, versionInfo(d, fn, out.version)) };
}

export function listVersions(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const fn = d.routing.fn(name);
  const items = [configuration(d, fn, undefined), ...d.code.versions(fn.id).map((v) => configuration(d, fn, v))];
  const p = page(items, query);
  return { status: 200, body: p.next === undefined ? { Versions: p.items } : { Versions: p.items, NextMarker: p.next } };
}

// ---- aliases --------------------------------------------------------------------------------------

function aliasJson(d: ControlDeps, name: string, a: AliasState): Json {
  const out: Json = {
    AliasArn: functionArn(d.routing.scope, name, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (a.additional !== undefined) out.RoutingConfig = { AdditionalVersionWeights: { [a.additional.version]: a.additional.weight } };
  return out;
}

/** RoutingConfig → the additional version; Lambda's rules: one version, published, not the primary, weight 0-1. */
function routingConfig(d: ControlDeps, name: string, primary: string, raw: unknown): AliasState['additional'] {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new LambdaApiError('InvalidParameterValueException', 'RoutingConfig must be an object with AdditionalVersionWeights');
  const weights = raw.AdditionalVersionWeights;
  if (weights === undefined || weights === null) return undefined;
  if (!isRecord(weights)) throw new LambdaApiError('InvalidParameterValueException', 'RoutingConfig.AdditionalVersionWeights must map a version number to a weight');
  const entries = Object.entries(weights);
  if (entries.length === 0) return undefined;
  if (entries.length > 1) throw new LambdaApiError('InvalidParameterValueException', `Number of items in AdditionalVersionWeights cannot be greater than 1, got ${entries.length}`);
  const [version, weight] = entries[0] as [string, unknown];
  if (!VERSION_NUMBER.test(version)) throw new LambdaApiError('InvalidParameterValueException', `AdditionalVersionWeights: "${version}" is not a published version number ($LATEST cannot take routed traffic)`);
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new LambdaApiError('InvalidParameterValueException', `AdditionalVersionWeights["${version}"] must be a weight between 0.0 and 1.0, got ${JSON.stringify(weight)}`);
  if (primary === LATEST) throw new LambdaApiError('InvalidParameterValueException', 'An alias with routing configuration must point at a published version, not $LATEST');
  if (version === primary) throw new LambdaApiError('InvalidParameterValueException', `AdditionalVersionWeights: version ${version} is the alias's own FunctionVersion`);
  if (!d.routing.hasVersion(name, version)) throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionArn(d.routing.scope, name, version)}`);
  return { version, weight };
}

function checkVersion(d: ControlDeps, name: string, version: string): void {
  if (version !== LATEST && !VERSION_NUMBER.test(version)) {
    throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`);
  }
  if (!d.routing.hasVersion(name, version)) throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionArn(d.routing.scope, name, version)}`);
}

export function createAlias(d: ControlDeps, name: string, raw: unknown): Reply {
  const b = body(raw);
  d.routing.fn(name);
  const alias = str(b, 'Name', { required: true }) ?? '';
  if (!ALIAS_NAME.test(alias)) {
    throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${alias}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
  }
  if (d.routing.aliasList(name).some((a) => a.name === alias)) {
    throw new LambdaApiError('ResourceConflictException', `Alias already exists: ${functionArn(d.routing.scope, name, alias)}`);
  }
  const version = str(b, 'FunctionVersion', { required: true }) ?? '';
  checkVersion(d, name, version);
  const additional = routingConfig(d, name, version, b.RoutingConfig);
  const state = d.routing.setAlias(name, { name: alias, functionVersion: version, additional, description: str(b, 'Description') ?? '' });
  return { status: 201, body: aliasJson(d, name, state) };
}

export function updateAlias(d: ControlDeps, name: string, alias: string, raw: unknown): Reply {
  const b = body(raw);
  const current = d.routing.alias(name, alias);
  const revision = str(b, 'RevisionId');
  if (revision !== undefined && revision !== current.revisionId) {
    throw new LambdaApiError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
  const version = str(b, 'FunctionVersion') ?? current.functionVersion;
  checkVersion(d, name, version);
  // RoutingConfig absent keeps the split; `AdditionalVersionWeights: {}` clears it.
  const additional = b.RoutingConfig === undefined ? current.additional : routingConfig(d, name, version, b.RoutingConfig);
  if (additional !== undefined && (version === LATEST || additional.version === version)) routingConfig(d, name, version, { AdditionalVersionWeights: { [additional.version]: additional.weight } });
  const state = d.routing.setAlias(name, { name: alias, functionVersion: version, additional, description: str(b, 'Description') ?? current.description });
  return { status: 200, body: aliasJson(d, name, state) };
}

export function getAlias(d: ControlDeps, name: string, alias: string): Reply {
  return { status: 200, body: aliasJson(d, name, d.routing.alias(name, alias)) };
}

export function listAliases(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const version = query.get('FunctionVersion');
  const items = d.routing
    .aliasList(name)
    .filter((a) => version === null || a.functionVersion === version || a.additional?.version === version)
    .map((a) => aliasJson(d, name, a));
  const p = page(items, query);
  return { status: 200, body: p.next === undefined ? { Aliases: p.items } : { Aliases: p.items, NextMarker: p.next } };
}

export function deleteAlias(d: ControlDeps, name: string, alias: string): Reply {
  d.routing.deleteAlias(name, alias);
  return { status: 204, body: undefined };
}

// ---- concurrency ----------------------------------------------------------------------------------

export function putConcurrency(d: ControlDeps, name: string, raw: unknown): Reply {
  const b = body(raw);
  d.routing.fn(name);
  const n = b.ReservedConcurrentExecutions;
  if (n === undefined || n === null) throw new LambdaApiError('ValidationException', "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${String(n)}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }
  const account = d.routing.accountConcurrency;
  // Lambda keeps 100 of the account unreserved; with a smaller local account, a tenth of it (docs/decisions.md).
  const minimum = Math.min(MIN_UNRESERVED_CONCURRENCY, Math.ceil(account / 10));
  const left = account - d.routing.reservedTotal(name) - n;
  if (n > 0 && left < minimum) {
    throw new LambdaApiError('InvalidParameterValueException', `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`);
  }
  d.routing.setReservedConcurrency(name, n);
  return { status: 200, body: { ReservedConcurrentExecutions: n } };
}

export function getConcurrency(d: ControlDeps, name: string): Reply {
  const n = d.routing.reservedConcurrency(name);
  return { status: 200, body: n === undefined ? {} : { ReservedConcurrentExecutions: n } };
}

export function deleteConcurrency(d: ControlDeps, name: string): Reply {
  d.routing.setReservedConcurrency(name, undefined);
  return { status: 204, body: undefined };
}

// ---- asynchronous invocation configs --------------------------------------------------------------

function eventConfigJson(d: ControlDeps, name: string, qualifier: string, c: EventInvokeConfig): Json {
  const out: Json = { FunctionArn: functionArn(d.routing.scope, name, qualifier), LastModified: c.lastModified };
  if (c.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.maximumRetryAttempts;
  if (c.maximumEventAgeSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maximumEventAgeSeconds;
  out.DestinationConfig = {
    OnSuccess: c.onSuccess === undefined ? {} : { Destination: c.onSuccess },
    OnFailure: c.onFailure === undefined ? {} : { Destination: c.onFailure },
  };
  return out;
}

function destination(raw: unknown, which: 'OnSuccess' | 'OnFailure', name: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new LambdaApiError('InvalidParameterValueException', `DestinationConfig.${which} must be an object with Destination`);
  const arn = raw.Destination;
  if (arn === undefined || arn === null) return undefined;
  const t = typeof arn === 'string' ? parseTargetArn(arn) : undefined;
  const allowed = which === 'OnSuccess' ? ['sqs', 'sns', 'lambda', 'events'] : ['sqs', 'sns', 'lambda', 'events', 's3'];
  if (t === undefined || !allowed.includes(t.service)) {
    throw new LambdaApiError('InvalidParameterValueException', `The provided destination config DestinationConfig.${which}.Destination (${String(arn)}) is invalid: expected the ARN of an SQS queue, SNS topic, Lambda function or EventBridge bus${which === 'OnFailure' ? ' or S3 bucket' : ''}`);
  }
  if (t.service === 'lambda' && (t.resource.split(':')[0] ?? '') === name) {
    throw new LambdaApiError('InvalidParameterValueException', `The provided destination config DestinationConfig.${which}.Destination is invalid: a function cannot be its own destination`);
  }
  return arn as string;
}

/** Put replaces the whole config; Update (merge) keeps what the body leaves out. */
export function putEventInvokeConfig(d: ControlDeps, name: string, query: URLSearchParams, raw: unknown, merge: boolean): Reply {
  const b = body(raw);
  d.routing.fn(name);
  const qualifier = query.get('Qualifier') || LATEST;
  d.routing.checkQualifier(name, qualifier);
  const before = merge ? d.routing.eventConfig(name, qualifier) : undefined;
  const dest = b.DestinationConfig;
  if (dest !== undefined && dest !== null && !isRecord(dest)) throw new LambdaApiError('InvalidParameterValueException', 'DestinationConfig must be an object');
  if (merge && before === undefined) {
    throw new LambdaApiError('ResourceNotFoundException', `The function ${functionArn(d.routing.scope, name, qualifier)} doesn't have an EventInvokeConfig`);
  }
  // A destination the body names replaces the old one; one it leaves out is kept by Update, dropped by Put.
  const pick = (which: 'OnSuccess' | 'OnFailure', old: string | undefined): string | undefined =>
    isRecord(dest) && dest[which] !== undefined ? destination(dest[which], which, name) : old;
  const c: EventInvokeConfig = {
    maximumRetryAttempts: int(b, 'MaximumRetryAttempts', 0, MAXIMUM_RETRY_ATTEMPTS_MAX) ?? before?.maximumRetryAttempts,
    maximumEventAgeSeconds: int(b, 'MaximumEventAgeInSeconds', MAXIMUM_EVENT_AGE_MIN_S, MAXIMUM_EVENT_AGE_MAX_S) ?? before?.maximumEventAgeSeconds,
    onSuccess: pick('OnSuccess', before?.onSuccess),
    onFailure: pick('OnFailure', before?.onFailure),
    lastModified: Date.now() / 1000,
  };
  d.routing.setEventConfig(name, qualifier, c);
  return { status: 200, body: eventConfigJson(d, name, qualifier, c) };
}

export function getEventInvokeConfig(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const qualifier = query.get('Qualifier') || LATEST;
  const c = d.routing.eventConfig(name, qualifier);
  if (c === undefined) throw new LambdaApiError('ResourceNotFoundException', `The function ${functionArn(d.routing.scope, name, qualifier)} doesn't have an EventInvokeConfig`);
  return { status: 200, body: eventConfigJson(d, name, qualifier, c) };
}

export function deleteEventInvokeConfig(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const qualifier = query.get('Qualifier') || LATEST;
  if (!d.routing.deleteEventConfig(name, qualifier)) {
    throw new LambdaApiError('ResourceNotFoundException', `The function ${functionArn(d.routing.scope, name, qualifier)} doesn't have an EventInvokeConfig`);
  }
  return { status: 204, body: undefined };
}

export function listEventInvokeConfigs(d: ControlDeps, name: string, query: URLSearchParams): Reply {
  const items = d.routing.eventConfigList(name).map(([q, c]) => eventConfigJson(d, name, q, c));
  const p = page(items, query);
  return { status: 200, body: p.next === undefined ? { FunctionEventInvokeConfigs: p.items } : { FunctionEventInvokeConfigs: p.items, NextMarker: p.next } };
}

export function accountSettings(d: ControlDeps, unreservedLimit: number): Reply {
  const names = d.routing.names();
  let total = 0;
  for (const n of names) total += fileFacts(d.routing.fn(n).file).size;
  return {
    status: 200,
    body: {
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: 262_144_000,
        CodeSizeZipped: 52_428_800,
        ConcurrentExecutions: d.routing.accountConcurrency,
        UnreservedConcurrentExecutions: unreservedLimit,
      },
      AccountUsage: { TotalCodeSize: total, FunctionCount: names.length },
    },
  };
}
