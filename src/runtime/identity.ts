// Who a function is inside Lambda: its name, version, ARN, log group and stream (the fixed part of
// `context`), and the reserved environment variables its execution environment gets.

import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ResolvedFunction } from '../config/types.js';
import type { CodeRef } from './code-types.js';
import type { StaticContext } from './protocol.js';

/** Lambda@Edge functions live in us-east-1 and always run a numbered version (docs/cloudfront-reference.md §3.9). */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
/** The version reported when an InvokeRequest carries no CodeRef (no code registry wired): a numbered version, as L@E runs (docs/cloudfront-reference.md §3.9). */
export const DEFAULT_FUNCTION_VERSION = '1';

/** The context fields that are the same for every invocation of one execution environment (docs/cloudfront-reference.md §2.4). */
export function staticContext(fn: Pick<ResolvedFunction, 'id' | 'memorySize'>, version = DEFAULT_FUNCTION_VERSION, now = new Date()): StaticContext {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    // A replica's name carries the home region, like its log group (docs/cloudfront-reference.md §2.4; docs/decisions.md).
    functionName: `${REGION}.${fn.id}`,
    functionVersion: version,
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${fn.id}:${version}`,
    memoryLimitInMB: String(fn.memorySize),
    logGroupName: `/aws/lambda/${REGION}.${fn.id}`,
    // One stream per execution environment: `YYYY/MM/DD/[version]<32 hex>`.
    logStreamName: `${day}/[${version}]${randomBytes(16).toString('hex')}`,
  };
}

/** Lambda's reserved variables only: Lambda@Edge has no user environment variables (docs/cloudfront-reference.md §3.8). */
export function lambdaEnv(fn: ResolvedFunction, code: CodeRef, ctx: StaticContext): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0] ?? ''}.x`,
    AWS_LAMBDA_FUNCTION_NAME: ctx.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: ctx.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: ctx.memoryLimitInMB,
    AWS_LAMBDA_LOG_GROUP_NAME: ctx.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStreamName,
    LAMBDA_TASK_ROOT: path.dirname(fn.file),
    _HANDLER: handlerName(fn, code),
  };
  for (const keep of ['PATH', 'LANG', 'TZ', 'NODE_OPTIONS']) {
    const v = process.env[keep];
    if (v !== undefined) env[keep] = v;
  }
  return env;
}

/** `<module>.<export>`, Lambda's handler setting, used in its error messages: the user's file name, not a build's. */
export function handlerName(fn: ResolvedFunction, code: CodeRef): string {
  return `${path.basename(fn.file, path.extname(fn.file))}.${code.exportName}`;
}
