// The real proxy with its Lambda API listener on 127.0.0.1:0, real workers, and the real
// @aws-sdk/client-lambda pointed at it. Everything started here is closed after each test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type RunningProxy as EdgeProxy, startProxy as startEdgeProxy } from '../../src/proxy.js';
import type { Scheduler } from '../../src/lambda/scheduler.js';
import { memoryLogger } from '../../src/log.js';

export const LAMBDA_FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));

export interface LambdaTestProxy extends EdgeProxy {
  logs: ReturnType<typeof memoryLogger>;
  client: LambdaClient;
  stateDir: string;
  lambdaUrl: string;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** Fixture functions by id (id → file in test/fixtures/lambda/). */
export function fns(ids: Record<string, string | Record<string, unknown>>): Array<Record<string, unknown>> {
  return Object.entries(ids).map(([id, v]) => (typeof v === 'string' ? { id, file: v } : { id, ...v }));
}

export async function startLambda(
  object: { functions: Array<Record<string, unknown>>; lambda?: Record<string, unknown>; [k: string]: unknown },
  opts: { scheduler?: Scheduler; random?: () => number; admin?: boolean; clientOptions?: Record<string, unknown> } = {},
): Promise<LambdaTestProxy> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'edgeproxy-lambda-'));
  const config = await loadConfig({
    object: {
      listen: { host: '127.0.0.1', port: 0 },
      // Never contacted: these tests talk to the Lambda listener only.
      origins: [{ id: 'o', url: 'http://127.0.0.1:1029' }],
      ...(opts.admin === true ? { admin: { port: 0 } } : {}),
      ...object,
      lambda: { port: 0, sinkDir: path.join(stateDir, 'sinks'), ...(object.lambda ?? {}) },
    },
    baseDir: LAMBDA_FIXTURES,
  });
  const logs = memoryLogger();
  const proxy = await startEdgeProxy({
    config,
    log: logs,
    stateDir,
    ...(opts.scheduler !== undefined ? { lambdaScheduler: opts.scheduler } : {}),
    ...(opts.random !== undefined ? { random: opts.random } : {}),
  });
  if (proxy.lambdaUrl === undefined) throw new Error('the Lambda listener did not start');
  const client = new LambdaClient({
    endpoint: proxy.lambdaUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    ...opts.clientOptions,
  });
  const t: LambdaTestProxy = Object.assign(proxy, { logs, client, stateDir, lambdaUrl: proxy.lambdaUrl });
  open.push({
    close: async () => {
      client.destroy();
      await proxy.close(1000);
      rmSync(stateDir, { recursive: true, force: true });
    },
  });
  return t;
}

/** The payload the SDK returned, as JSON. */
export function json(payload: Uint8Array | undefined): unknown {
  if (payload === undefined) throw new Error('no Payload');
  return JSON.parse(Buffer.from(payload).toString('utf8'));
}

/** Polls `cond` every 10 ms for at most `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: still false after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whatever `p` rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Record<string, unknown> & { name: string; $metadata: { httpStatusCode?: number; attempts?: number; requestId?: string } }> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown> & { name: string; $metadata: { httpStatusCode?: number; attempts?: number; requestId?: string } };
  }
  throw new Error('expected a rejection');
}

export interface MetricsJson {
  lambda: {
    account: { ConcurrentExecutions: { current: number; max: number }; Throttles: number };
    functions: Array<{ FunctionName: string; ExecutedVersion: string; Invocations: number; Errors: number; Throttles: number; Duration: { count: number }; ConcurrentExecutions: { current: number; max: number } }>;
    UnreservedConcurrentExecutions: { current: number; max: number };
    async: Array<{ FunctionName: string; AsyncEventsReceived: number; AsyncEventAge: { count: number; max: number | null }; AsyncEventsDropped: number; DeadLetterErrors: number; DestinationDeliveryFailures: number; QueuedEvents: number }>;
  };
}

/** GET /metrics?format=json from the admin listener (start with `admin: true`). */
export async function metricsJson(p: LambdaTestProxy): Promise<MetricsJson> {
  if (p.adminUrl === undefined) throw new Error('start the proxy with admin: true');
  const res = await fetch(`${p.adminUrl}/metrics?format=json`);
  return (await res.json()) as MetricsJson;
}

/** Sum of a function's counters over its versions, and its async counters. */
export async function functionMetrics(p: LambdaTestProxy, fn: string) {
  const m = await metricsJson(p);
  const rows = m.lambda.functions.filter((f) => f.FunctionName === fn);
  const a = m.lambda.async.find((x) => x.FunctionName === fn);
  return {
    invocations: rows.reduce((n, f) => n + f.Invocations, 0),
    errors: rows.reduce((n, f) => n + f.Errors, 0),
    throttles: rows.reduce((n, f) => n + f.Throttles, 0),
    received: a?.AsyncEventsReceived ?? 0,
    dropped: a?.AsyncEventsDropped ?? 0,
    deadLetterErrors: a?.DeadLetterErrors ?? 0,
    destinationDeliveryFailures: a?.DestinationDeliveryFailures ?? 0,
    ageCount: a?.AsyncEventAge.count ?? 0,
    queued: a?.QueuedEvents ?? 0,
  };
}
