// Shared bits of the runtime tests: fixture paths, events, and runtimes that are always closed.

import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_PREWARM } from '../../src/config/defaults.js';
import type { ResolvedFunction } from '../../src/config/types.js';
import type { CfEvent, EventType } from '../../src/event/types.js';
import { type Logger, memoryLogger, silentLogger } from '../../src/log.js';
import { createRuntime, type EdgeRuntime, type RuntimeOptions } from '../../src/runtime/pool.js';
import type { CodeRef } from '../../src/runtime/code-types.js';
import type { FunctionRuntime, InvokeOutcome, InvokeRequest } from '../../src/runtime/types.js';

export const FUNCTIONS = fileURLToPath(new URL('../fixtures/functions/', import.meta.url));

export function fnDef(file: string, over: Partial<ResolvedFunction> = {}): ResolvedFunction {
  return {
    id: file.replace(/[^a-z0-9]+/gi, '-'),
    file: FUNCTIONS + file,
    exportName: 'handler',
    timeoutMs: undefined,
    memorySize: 128,
    reservedConcurrency: undefined,
    ...over,
  };
}

export function requestEvent(headers: Record<string, string> = {}, eventType: EventType = 'viewer-request', uri = '/index.html'): CfEvent {
  const h: CfEvent['Records'][0]['cf']['request']['headers'] = {};
  for (const [k, v] of Object.entries(headers)) h[k] = [{ key: k, value: v }];
  return {
    Records: [
      {
        cf: {
          config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: 'cf-req-id' },
          request: { clientIp: '127.0.0.1', method: 'GET', uri, querystring: '', headers: h },
        },
      },
    ],
  };
}

export function req(
  fn: ResolvedFunction,
  opts: { headers?: Record<string, string>; timeoutMs?: number; uri?: string; code?: CodeRef; requestId?: string } = {},
): InvokeRequest {
  const r: InvokeRequest = {
    fn,
    eventType: 'viewer-request',
    event: requestEvent(opts.headers, 'viewer-request', opts.uri),
    requestId: opts.requestId ?? 'cf-req-id',
    timeoutMs: opts.timeoutMs ?? 5_000,
  };
  if (opts.code !== undefined) r.code = opts.code;
  return r;
}

const open: FunctionRuntime[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((rt) => rt.close()));
});

/**
 * A runtime closed after the test, whatever happens in it. The runtime takes resolved settings (the
 * config layer applies the defaults): what a test does not set is the config's default.
 */
export function runtime(
  opts: { max?: number; log?: Logger } & Partial<Omit<RuntimeOptions, 'log' | 'maxWorkersPerFunction'>> = {},
): EdgeRuntime {
  const { max, log, ...rest } = opts;
  const rt = createRuntime({
    log: log ?? silentLogger,
    maxWorkersPerFunction: max ?? 2,
    accountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_S * 1000,
    prewarm: DEFAULT_PREWARM,
    functions: [],
    ...rest,
  });
  open.push(rt);
  return rt;
}

export { memoryLogger };

/** Rejects when `p` has not settled within `ms`: every wait in these tests is bounded. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Polls `cond` every 10 ms for at most `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: still false after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function expectOk(o: InvokeOutcome): unknown {
  if (!o.ok) throw new Error(`expected ok, got ${o.reason} ${o.errorType}: ${o.errorMessage}`);
  return o.result;
}

/** First value of a header in a returned request/response. */
export function header(result: unknown, name: string): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const headers = (result as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const list = (headers as Record<string, unknown>)[name];
  if (!Array.isArray(list)) return undefined;
  const first: unknown = list[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const value = (first as { value?: unknown }).value;
  return typeof value === 'string' ? value : undefined;
}

export function field(result: unknown, name: string): unknown {
  return typeof result === 'object' && result !== null ? (result as Record<string, unknown>)[name] : undefined;
}
