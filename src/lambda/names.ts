// FunctionName and Qualifier as the Lambda API takes them: a name, `name:qualifier`, a partial ARN
// (`123456789012:function:name[:qualifier]`) or a full ARN (`arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier]`),
// and the ARNs the listener builds (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, FunctionName).
// Pure functions: parsed once per request, no state.

import { LambdaApiError } from './errors.js';
import { ALIAS_NAME, FUNCTION_NAME_MAX, FUNCTION_REF_MAX, LATEST, VERSION_NUMBER } from './limits.js';

export interface FunctionRef {
  /** The function's name (edgeproxy's function id). */
  name: string;
  /** `$LATEST`, a version number or an alias name; undefined when none was given. */
  qualifier: string | undefined;
}

/** Where the listener lives: the Region and account of every ARN it builds. */
export interface ArnScope {
  region: string;
  accountId: string;
}

/** Lambda's FunctionName pattern, split into its parts. */
const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const NAME_AND_QUALIFIER = /^([^:]+)(?::([^:]+))?$/;

/** A qualifier's shape: `$LATEST`, a version number, or an alias name. */
function isQualifier(q: string): boolean {
  return q === LATEST || VERSION_NUMBER.test(q) || ALIAS_NAME.test(q);
}

/**
 * `FunctionName` (already percent-decoded) plus the `Qualifier` query parameter → name and qualifier.
 * `known` is asked first with the whole value, so an edgeproxy function id that itself contains a
 * colon (ids built from flags, `auth.js:viewer-request`) is found as is. Any Region and account are
 * accepted in an ARN: code written against a real account works unchanged (docs/decisions.md).
 */
export function parseFunctionRef(raw: string, queryQualifier: string | undefined, known: (name: string) => boolean, field = 'functionName'): FunctionRef {
  if (raw === '') throw validation(field, raw, 'Member must have length greater than or equal to 1');
  if (raw.length > FUNCTION_REF_MAX) throw validation(field, raw, `Member must have length less than or equal to ${FUNCTION_REF_MAX}`);
  if (queryQualifier !== undefined && !isQualifier(queryQualifier)) {
    throw validation('qualifier', queryQualifier, 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
  }
  let name: string | undefined;
  let fromName: string | undefined;
  if (known(raw)) name = raw;
  else {
    const full = FULL_ARN.exec(raw);
    const partial = full === null ? PARTIAL_ARN.exec(raw) : null;
    const plain = full === null && partial === null ? NAME_AND_QUALIFIER.exec(raw) : null;
    if (full !== null) [name, fromName] = [full[3], full[4]];
    else if (partial !== null) [name, fromName] = [partial[2], partial[3]];
    else if (plain !== null) [name, fromName] = [plain[1], plain[2]];
    if (name === undefined) throw validation(field, raw, 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
    if (!known(name) && name.length > FUNCTION_NAME_MAX) throw validation(field, raw, `the function name must be at most ${FUNCTION_NAME_MAX} characters`);
    if (fromName !== undefined && !isQualifier(fromName)) throw validation(field, raw, `"${fromName}" is not a version number, $LATEST or an alias name`);
  }
  if (fromName !== undefined && queryQualifier !== undefined && fromName !== queryQualifier) {
    // Lambda's words for this case [U: the exact text].
    throw new LambdaApiError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { name, qualifier: fromName ?? queryQualifier };
}

function validation(field: string, value: string, rule: string): LambdaApiError {
  return new LambdaApiError('ValidationException', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`);
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` with `:<qualifier>` when given. */
export function functionArn(scope: ArnScope, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** A destination or dead-letter target: which service and the resource's name (for the sink's file). */
export interface TargetArn {
  arn: string;
  service: 'sqs' | 'sns' | 'lambda' | 'events' | 's3';
  /** Queue, topic, function (with qualifier), bus or bucket name. */
  resource: string;
}

const TARGET = /^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events|s3):([a-z0-9-]*):(\d{12})?:(.+)$/;

/** Parses a destination/DLQ ARN; undefined when it is not one of the five target services. */
export function parseTargetArn(arn: string): TargetArn | undefined {
  const m = TARGET.exec(arn);
  if (m === null) return undefined;
  const service = m[1] as TargetArn['service'];
  let resource = m[4] ?? '';
  if (service === 'lambda') {
    if (!resource.startsWith('function:')) return undefined;
    resource = resource.slice('function:'.length);
  } else if (service === 'events') {
    if (!resource.startsWith('event-bus/')) return undefined;
    resource = resource.slice('event-bus/'.length);
  }
  if (resource === '') return undefined;
  return { arn, service, resource };
}
