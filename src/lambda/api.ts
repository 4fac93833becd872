// The Lambda Invoke API, assembled: routing state, the invoker over the shared runtime, the async
// queue with its destinations and sinks, the metrics, and the listener. index.ts starts it when
// `--lambda-port` or `lambda: {}` asks for it; close() stops it before the runtime closes.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ResolvedLambdaConfig } from '../config/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { DEFAULT_LAMBDA_CLOSE_GRACE_MS, DEFAULT_LAMBDA_SINK_DIR } from '../config/defaults.js';
import type { Logger } from '../log.js';
import type { LocalCodeSource } from '../runtime/code.js';
import type { EdgeRuntime } from '../runtime/pool.js';
import { Delivery } from './destinations.js';
import { Invoker } from './invoke.js';
import { type LambdaListener, startListener } from './listener.js';
import type { LogTap } from './log-tail.js';
import type { LambdaMetrics } from './metrics.js';
import { AsyncQueue } from './queue.js';
import { Routing } from './routing.js';
import { type Scheduler, systemScheduler } from './scheduler.js';
import { type SinkMessage, Sinks, type SinkSummary } from './sinks.js';

interface LambdaApiOptions {
  config: ResolvedLambdaConfig;
  functions: ReadonlyMap<string, ResolvedFunction>;
  code: LocalCodeSource;
  runtime: EdgeRuntime;
  tap: LogTap | undefined;
  metrics: LambdaMetrics;
  log: Logger;
  accountConcurrency: number;
  /** `.edgeproxy/`: the sinks live in `<stateDir>/lambda-sinks` unless `lambda.sinkDir` says otherwise. */
  stateDir: string;
  scheduler?: Scheduler;
  random?: () => number;
  onReservedConcurrency?: (functionId: string, reserved: number | undefined) => void;
}

/** What the admin listener offers about the sinks (GET /lambda/sinks, POST /lambda/sinks/{arn}/redrive). */
export interface SinkAdmin {
  list(): SinkSummary[];
  messages(target: string): readonly SinkMessage[] | undefined;
  /** Sends every stored event of a sink back to its function as a new async invocation. */
  redrive(target: string): Promise<{ redriven: number; skipped: number }>;
}

export interface LambdaApi {
  url: string;
  routing: Routing;
  queue: AsyncQueue;
  sinks: SinkAdmin;
  /**
   * Stops accepting, lets async invocations in flight finish (up to `graceMs`) and drops (and logs)
   * the queued rest. Synchronous invokes still running end with the runtime's close; `closed()`
   * resolves when their connections are gone.
   */
  close(graceMs?: number): Promise<{ dropped: string[] }>;
  closed(): Promise<void>;
}

export async function startLambdaApi(o: LambdaApiOptions): Promise<LambdaApi> {
  const routing = new Routing({
    functions: o.functions,
    code: o.code,
    lambda: o.config,
    accountConcurrency: o.accountConcurrency,
    ...(o.random !== undefined ? { random: o.random } : {}),
    onReservedConcurrency: (id, n) => {
      const fn = o.functions.get(id);
      if (fn !== undefined) o.runtime.setReservedConcurrency(fn, n);
      o.onReservedConcurrency?.(id, n);
    },
  });
  const invoker = new Invoker(o.runtime, o.tap, (t) => routing.timeoutMs(t.fn));
  const sinks = new Sinks(o.config.sinkDir ?? path.join(o.stateDir, DEFAULT_LAMBDA_SINK_DIR), o.log);
  const delivery = new Delivery(sinks, routing.scope, o.metrics, o.log);
  const queue = new AsyncQueue({ routing, invoker, delivery, metrics: o.metrics, scheduler: o.scheduler ?? systemScheduler, timeScale: o.config.timeScale, log: o.log });
  delivery.reinvoke = (name, qualifier, payload) => {
    if (!routing.has(name)) return false;
    try {
      routing.checkQualifier(name, qualifier);
    } catch {
      return false;
    }
    queue.accept({ name, qualifier }, payload, randomUUID());
    return true;
  };
  const listener: LambdaListener = await startListener(
    {
      routing,
      invoker,
      queue,
      control: { routing, code: o.code, startedAt: new Date() },
      asyncPayloadLimit: o.config.asyncPayloadLimit,
      unreservedLimit: () => o.runtime.stats().unreservedLimit,
      log: o.log,
    },
    { host: o.config.host, port: o.config.port },
  );
  const sinkAdmin: SinkAdmin = {
    list: () => sinks.list(),
    messages: (t) => sinks.messages(t),
    async redrive(target) {
      const taken = await sinks.take(target);
      let redriven = 0;
      let skipped = 0;
      for (const m of taken) {
        if (routing.has(m.source.functionName)) {
          const q = m.source.qualifier === '$LATEST' ? undefined : m.source.qualifier;
          queue.accept({ name: m.source.functionName, qualifier: q }, m.source.payload, randomUUID());
          redriven++;
        } else skipped++;
      }
      return { redriven, skipped };
    },
  };
  let closing: Promise<{ dropped: string[] }> | undefined;
  let stopped: Promise<void> | undefined;
  return {
    url: listener.url,
    routing,
    queue,
    sinks: sinkAdmin,
    close(graceMs = DEFAULT_LAMBDA_CLOSE_GRACE_MS) {
      closing ??= (async () => {
        stopped = listener.close();
        const r = await queue.close(graceMs);
        await sinks.flush();
        return r;
      })();
      return closing;
    },
    closed() {
      return stopped ?? listener.close();
    },
  };
}
