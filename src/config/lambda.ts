// The `lambda` section of the config (the Lambda Invoke API listener, docs/lambda-api.md): its shape
// and its resolution into ResolvedLambdaConfig. schema.ts includes `lambdaSchema`; load.ts calls
// `resolveLambda` once at start. Imports nothing from schema.ts (which imports this module).

import path from 'node:path';
import { z } from 'zod';
import { parseTargetArn } from '../lambda/names.js';
import {
  DEFAULT_LAMBDA_ACCOUNT_ID,
  DEFAULT_LAMBDA_HOST,
  DEFAULT_LAMBDA_PORT,
  DEFAULT_LAMBDA_REGION,
  DEFAULT_LEGACY_ASYNC_LIMIT,
  DEFAULT_TIME_SCALE,
} from './defaults.js';
import {
  ASYNC_PAYLOAD_LIMIT,
  FUNCTION_TIMEOUT_MAX_S,
  LEGACY_ASYNC_PAYLOAD_LIMIT,
  MAXIMUM_EVENT_AGE_MAX_S,
  MAXIMUM_EVENT_AGE_MIN_S,
  MAXIMUM_RETRY_ATTEMPTS_MAX,
} from '../lambda/limits.js';

/** One problem, as load.ts collects them (schema.ts's Problem; not imported, so the two modules stay acyclic). */
export interface Problem {
  path: string;
  message: string;
}

const int = (what: string, min: number, max: number) =>
  z
    .number()
    .int({ error: `must be a whole number of ${what}` })
    .min(min, { error: `must be between ${min} and ${max}` })
    .max(max, { error: `must be between ${min} and ${max}` });

const arn = z.string().min(1, { error: 'must not be empty' });

/** Per function: Lambda's function timeout and its asynchronous invocation settings (PutFunctionEventInvokeConfig, DeadLetterConfig). */
export const lambdaFunctionSchema = z.strictObject({
  /** Seconds, 1-900 (Lambda's range); the Invoke API only — the edge triggers keep their own limits. */
  timeout: z.number().positive({ error: 'must be a number of seconds > 0' }).max(FUNCTION_TIMEOUT_MAX_S, { error: `must be at most ${FUNCTION_TIMEOUT_MAX_S} seconds` }).optional(),
  maximumRetryAttempts: int('attempts', 0, MAXIMUM_RETRY_ATTEMPTS_MAX).optional(),
  maximumEventAgeInSeconds: int('seconds', MAXIMUM_EVENT_AGE_MIN_S, MAXIMUM_EVENT_AGE_MAX_S).optional(),
  destinations: z.strictObject({ onSuccess: arn.optional(), onFailure: arn.optional() }).optional(),
  /** An SQS queue or SNS topic ARN. */
  deadLetterQueue: arn.optional(),
});

export const lambdaSchema = z.strictObject({
  host: z.string().min(1, { error: 'must not be empty' }).optional(),
  port: int('port', 0, 65535).optional(),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'must be a Region like "us-east-1"' }).optional(),
  accountId: z.string().regex(/^\d{12}$/, { error: 'must be 12 digits, like "123456789012"' }).optional(),
  /** Multiplies the async queue's delays: 0.001 turns Lambda's 1-minute retry into 60 ms (tests). */
  timeScale: z.number().positive({ error: 'must be a number > 0' }).max(1, { error: 'must be at most 1 (1 = real timing)' }).optional(),
  /** The 256 KB async payload limit of before October 2025 instead of 1 MB. */
  legacyAsyncLimit: z.boolean().optional(),
  /** Folder of the dead-letter/destination JSON-lines files (default: `.edgeproxy/lambda-sinks`). */
  sinkDir: z.string().min(1, { error: 'must not be empty' }).optional(),
  functions: z.record(z.string(), lambdaFunctionSchema).optional(),
});

type LambdaInput = z.output<typeof lambdaSchema>;

/** One function's Invoke API settings; every field optional (the listener applies Lambda's defaults). */
export interface ResolvedLambdaFunction {
  timeoutMs: number | undefined;
  maximumRetryAttempts: number | undefined;
  maximumEventAgeSeconds: number | undefined;
  onSuccess: string | undefined;
  onFailure: string | undefined;
  deadLetterQueue: string | undefined;
}

export interface ResolvedLambdaConfig {
  host: string;
  port: number;
  region: string;
  accountId: string;
  timeScale: number;
  /** Bytes an `Event` payload may have. */
  asyncPayloadLimit: number;
  /** Absolute folder for the sinks; undefined → `<stateDir>/lambda-sinks`. */
  sinkDir: string | undefined;
  functions: ReadonlyMap<string, ResolvedLambdaFunction>;
}

/**
 * The `lambda` section plus `--lambda-port` → the listener's settings, or undefined when neither asks
 * for the listener. Problems name their config path (`lambda.functions.auth.deadLetterQueue`).
 */
export function resolveLambda(
  input: LambdaInput | undefined,
  flags: { lambdaPort?: number | undefined },
  ctx: { functionIds: readonly string[]; baseDir: string },
): { config: ResolvedLambdaConfig | undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  if (input === undefined && flags.lambdaPort === undefined) return { config: undefined, problems };
  const functions = new Map<string, ResolvedLambdaFunction>();
  for (const [id, f] of Object.entries(input?.functions ?? {})) {
    const at = `lambda.functions.${id}`;
    if (!ctx.functionIds.includes(id)) {
      const known = ctx.functionIds.length === 0 ? 'no functions are defined' : `defined: ${ctx.functionIds.map((i) => `"${i}"`).join(', ')}`;
      problems.push({ path: at, message: `unknown function id "${id}" (${known})` });
      continue;
    }
    const target = (where: string, value: string | undefined, allowed: readonly string[]): string | undefined => {
      if (value === undefined) return undefined;
      const t = parseTargetArn(value);
      if (t === undefined || !allowed.includes(t.service)) {
        problems.push({ path: `${at}.${where}`, message: `must be the ARN of ${allowed.map(serviceName).join(', or ')}, got ${JSON.stringify(value)}` });
        return undefined;
      }
      if (t.service === 'lambda') {
        const fnName = t.resource.split(':')[0] ?? '';
        if (!ctx.functionIds.includes(fnName)) problems.push({ path: `${at}.${where}`, message: `the destination function "${fnName}" is not defined in functions[]` });
      }
      return value;
    };
    functions.set(id, {
      timeoutMs: f.timeout === undefined ? undefined : Math.round(f.timeout * 1000),
      maximumRetryAttempts: f.maximumRetryAttempts,
      maximumEventAgeSeconds: f.maximumEventAgeInSeconds,
      onSuccess: target('destinations.onSuccess', f.destinations?.onSuccess, ['sqs', 'sns', 'lambda', 'events']),
      onFailure: target('destinations.onFailure', f.destinations?.onFailure, ['sqs', 'sns', 'lambda', 'events', 's3']),
      deadLetterQueue: target('deadLetterQueue', f.deadLetterQueue, ['sqs', 'sns']),
    });
  }
  const config: ResolvedLambdaConfig = {
    host: input?.host ?? DEFAULT_LAMBDA_HOST,
    port: flags.lambdaPort ?? input?.port ?? DEFAULT_LAMBDA_PORT,
    region: input?.region ?? DEFAULT_LAMBDA_REGION,
    accountId: input?.accountId ?? DEFAULT_LAMBDA_ACCOUNT_ID,
    timeScale: input?.timeScale ?? DEFAULT_TIME_SCALE,
    asyncPayloadLimit: (input?.legacyAsyncLimit ?? DEFAULT_LEGACY_ASYNC_LIMIT) ? LEGACY_ASYNC_PAYLOAD_LIMIT : ASYNC_PAYLOAD_LIMIT,
    sinkDir: input?.sinkDir === undefined ? undefined : path.resolve(ctx.baseDir, input.sinkDir),
    functions,
  };
  return { config, problems };
}

function serviceName(s: string): string {
  switch (s) {
    case 'sqs':
      return 'an SQS queue';
    case 'sns':
      return 'an SNS topic';
    case 'lambda':
      return 'a Lambda function';
    case 'events':
      return 'an EventBridge bus';
    default:
      return 'an S3 bucket';
  }
}
