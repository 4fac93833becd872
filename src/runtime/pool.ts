// The function runtime: every edge function runs in node:worker_threads Workers, never on the proxy's
// event loop (a `while(true)` must not hang the proxy). This module is the runtime's front door and
// its only public surface; the parts behind it each do one job.
//
// Public surface (all a caller needs; the files listed below are internal to it — the code registry,
// code.ts, is a front door of its own):
//
//   createRuntime(opts: RuntimeOptions): EdgeRuntime
//     opts: the resolved `runtime` settings of the config (ResolvedConfig['runtime'], defaults and checks
//     applied by src/config/), every configured function (their reservedConcurrency is carved out of the
//     account limit up front), a Logger and, optionally, RuntimeMetrics. Throws only when the built
//     worker script is missing.
//   runtime.invoke(req: InvokeRequest): Promise<InvokeOutcome>
//     Runs one invocation of req.fn (the build req.code names, else fn.file as version "1"). Never
//     rejects: throttling, errors, timeouts, crashes and shutdown are outcomes (types.ts). Any caller —
//     the pipeline's triggers, an Invoke API — goes through here, so every invocation is admitted,
//     counted, logged (START/END/REPORT) and metered the same way.
//   runtime.check(fn, code?): Promise<void>
//     Loads a function once at start; rejects with a ConfigError that names the file and what is wrong.
//   runtime.stats(): RuntimeStats        a snapshot for tests and the admin listener.
//   runtime.close(): Promise<void>       waits up to CLOSE_GRACE_MS for invocations in flight, then ends
//                                        every worker; idempotent.
//
// Behind it, one job per file:
//   admission.ts       concurrency limits and throttle decisions (pure counters)
//   function-pool.ts   scheduling of one function: workers on demand, FIFO queue, backlogs, retirement,
//                      and what each worker sends back
//   slot.ts            one worker as a state machine (starting → idle ⇄ busy → dead) with its timers
//   batch.ts           everything sent to a worker in one turn of the event loop goes as one message
//   outcome.ts         the outcomes the runtime builds itself
// and what is Lambda's (Node.js runtime) about it:
//   worker-start.ts    the worker script and starting a thread for one build of a function
//   identity.ts        function name, version, ARN, log stream and environment variables
//   memory.ts          heap limits for a memory size, REPORT's Max Memory Used
//   platform-log.ts    START/END/REPORT, timeout and console lines
//   load-diagnosis.ts  why a function did not load, in one line for the operator
// The thread boundary is protocol.ts and ring.ts (plus cff-protocol.ts); worker/ runs inside the
// threads and imports nothing from the host. Another kind of worker code that speaks protocol.ts
// through a ring (CloudFront Functions' worker/cff/) is scheduled by the same FunctionPool: it only
// needs its own PoolHost.startWorker (and its own log lines and load messages).

import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { ResolvedConfig, ResolvedFunction } from '../config/types.js';
import { ConfigError } from '../config/errors.js';
import type { Logger } from '../log.js';
import type { RuntimeMetrics } from '../observe/metrics.js';
import { Admission } from './admission.js';
import { Batch } from './batch.js';
import type { CodeRef } from './code-types.js';
import { codeKey, FunctionPool, type PoolHost, type PoolSettings } from './function-pool.js';
import { describeLoadFailure, fileProblem, functionWhere } from './load-diagnosis.js';
import { elapsed, failure, initFailure, notRun, throttled } from './outcome.js';
import { PlatformLog } from './platform-log.js';
import { EDGE_MARK } from './edge-protocol.js';
import { ERROR_TYPES } from './protocol.js';
import type { RingReader } from './ring.js';
import type { Invocation } from './slot.js';
import type { FunctionRuntime, InvokeOutcome, InvokeRequest, RuntimeStats } from './types.js';
import { DEFAULT_INVOKE_CHANNEL, INVOKE_CHANNELS, type InvokeChannel, startWorker, workerScript } from './worker-start.js';

/** How long close() waits for invocations in flight before terminating their workers. */
const CLOSE_GRACE_MS = 2_000;

export interface RuntimeOptions extends Readonly<ResolvedConfig['runtime']> {
  log: Logger;
  /** Every configured function: their reservedConcurrency is carved out of the account limit up front. */
  functions: Iterable<ResolvedFunction>;
  metrics?: RuntimeMetrics | undefined;
}

/** The runtime createRuntime returns: the pipeline's contract plus a view of the pool. */
export interface EdgeRuntime extends FunctionRuntime {
  stats(): RuntimeStats;
  /**
   * Changes a function's reserved concurrency from now on (`undefined`: none), for edge and Lambda API
   * invocations alike (the Lambda API's PutFunctionConcurrency). The caller checks the account limit.
   */
  setReservedConcurrency(fn: ResolvedFunction, reserved: number | undefined): void;
}

/**
 * How invocations reach workers: EDGEPROXY_INVOKE_CHANNEL (message, ring, park) chooses another
 * than the default, read once per runtime — for measuring them against each other (docs/benchmarks.md).
 */
function invokeChannel(): InvokeChannel {
  const v = process.env.EDGEPROXY_INVOKE_CHANNEL;
  return v !== undefined && (INVOKE_CHANNELS as readonly string[]).includes(v) ? (v as InvokeChannel) : DEFAULT_INVOKE_CHANNEL;
}

export function createRuntime(opts: RuntimeOptions): EdgeRuntime {
  return new Runtime(opts, workerScript());
}

class Runtime implements EdgeRuntime, PoolHost {
  readonly settings: PoolSettings;
  readonly logs: PlatformLog;
  readonly batch = new Batch();
  readonly exiting = new Set<Promise<void>>();
  closed = false;
  readonly #admission: Admission;
  /** Reservations changed at run time (setReservedConcurrency); the others are the config's. */
  readonly #reserved = new Map<string, number | undefined>();
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #pools = new Map<string, FunctionPool>();
  #seq = 0;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  readonly #script: string;
  readonly #channel: InvokeChannel;

  constructor(opts: RuntimeOptions, script: string) {
    this.#channel = invokeChannel();
    this.settings = { maxWorkersPerFunction: opts.maxWorkersPerFunction, idleTimeoutMs: opts.idleTimeoutMs, prewarm: opts.prewarm };
    this.#script = script;
    this.logs = new PlatformLog(opts.log);
    this.#admission = new Admission(opts.accountConcurrency, opts.functions);
    this.#metrics = opts.metrics;
  }

  invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) return Promise.resolve(notRun());
    const pool = this.#poolFor(req.fn);
    const code = req.code ?? pool.defaultCode;
    // Invocations waiting for a worker count: they are concurrent invocations (admission.ts).
    const reserved = this.#reserved.has(req.fn.id) ? this.#reserved.get(req.fn.id) : req.fn.reservedConcurrency;
    const refused = this.#admission.admit(pool, reserved);
    if (refused !== undefined) {
      this.#metrics?.recordThrottle(req.fn.id, code.version);
      return Promise.resolve(throttled(refused, code.version));
    }
    pool.noteGeneration(code);
    this.#inFlight++;
    this.#metrics?.recordInvocationStart(req.fn.id, code.version);
    // Serialized once, here: a worker only ever gets a string (protocol.ts: Invoke).
    let event: string;
    let unserializable: string | undefined;
    try {
      const e = req.event;
      event = typeof e === 'string' ? e : JSON.stringify(e);
      // Only a packed edge call starts with EDGE_MARK (edge-protocol.ts); JSON text never does, and a
      // payload that is not JSON stays not JSON.
      if (req.edge !== true && event.startsWith(EDGE_MARK)) event = ` ${event}`;
    } catch (e) {
      event = '';
      unserializable = String(e);
    }
    return new Promise<InvokeOutcome>((resolve) => {
      const inv: Invocation = {
        id: ++this.#seq,
        req,
        pool,
        code,
        key: codeKey(code),
        awsRequestId: req.awsRequestId ?? randomUUID(),
        reserved,
        event,
        resolve,
        startedAt: 0,
        slot: undefined,
        initMs: undefined,
      };
      if (unserializable === undefined) pool.enqueue(inv);
      else this.settle(inv, failure('error', 'Edgeproxy.EventNotSerializable', `the event could not be serialized: ${unserializable}`, 0));
    });
  }

  startWorker(fn: ResolvedFunction, code: CodeRef): { worker: Worker; ring: RingReader; inbox?: SharedArrayBuffer } {
    // Without REPORT lines nobody reads the memory high-water mark: the worker skips measuring it.
    return startWorker(this.#script, fn, code, !this.logs.quiet, this.#channel);
  }

  settle(inv: Invocation, outcome: InvokeOutcome): void {
    const pool = inv.pool;
    outcome.version = inv.code.version;
    outcome.awsRequestId = inv.awsRequestId;
    if (inv.initMs !== undefined) outcome.initDurationMs = inv.initMs;
    if (inv.startedAt !== 0) this.logs.end(inv, outcome, inv.slot?.mem ?? 0);
    this.#admission.leave(pool, inv.reserved);
    this.#metrics?.recordInvocationEnd(pool.fn.id, inv.code.version, outcome.durationMs, !outcome.ok);
    inv.resolve(outcome);
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#drained !== undefined) this.#drained();
  }

  async check(fn: ResolvedFunction, code?: CodeRef): Promise<void> {
    const problem = await fileProblem(fn, code !== undefined);
    if (problem !== undefined) throw new ConfigError('FunctionLoadError', problem);
    if (this.closed) throw new ConfigError('FunctionLoadError', `${functionWhere(fn)}: the runtime is closed`);
    const pool = this.#poolFor(fn);
    const ref = code ?? pool.defaultCode;
    pool.noteGeneration(ref);
    const r = await pool.loadOnce(ref);
    if (r.ok) {
      // Without prewarm the first request is a cold start, as in Lambda: the checking worker goes.
      if (!this.settings.prewarm && r.slot.state === 'idle') pool.retire(r.slot, 'checked');
      return;
    }
    throw new ConfigError('FunctionLoadError', await describeLoadFailure(fn, r.message));
  }

  setReservedConcurrency(fn: ResolvedFunction, reserved: number | undefined): void {
    const before = this.#reserved.has(fn.id) ? this.#reserved.get(fn.id) : fn.reservedConcurrency;
    this.#reserved.set(fn.id, reserved);
    this.#admission.reserve(before, reserved);
  }

  stats(): RuntimeStats {
    return {
      functions: [...this.#pools.values()].map((p) => p.stats()),
      unreservedInFlight: this.#admission.unreservedInFlight,
      unreservedLimit: this.#admission.unreservedLimit,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.closed = true;
    for (const pool of this.#pools.values()) {
      for (const inv of pool.queue.splice(0)) this.settle(inv, notRun());
    }
    if (this.#inFlight > 0) {
      let grace: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        this.#drained = r;
        grace = setTimeout(r, CLOSE_GRACE_MS);
      });
      clearTimeout(grace);
      this.#drained = undefined;
    }
    for (const pool of this.#pools.values()) {
      for (const slot of [...pool.slots]) {
        const inv = slot.current;
        if (inv !== undefined) this.settle(inv, failure('crash', ERROR_TYPES.shutdown, 'edgeproxy shut down while the function was running', elapsed(inv)));
        pool.kill(slot, initFailure(ERROR_TYPES.shutdown, 'the runtime was closed'), false);
      }
    }
    await Promise.all([...this.exiting]);
  }

  #poolFor(fn: ResolvedFunction): FunctionPool {
    let pool = this.#pools.get(fn.id);
    if (pool === undefined) {
      pool = new FunctionPool(this, fn);
      this.#pools.set(fn.id, pool);
    }
    return pool;
  }
}
