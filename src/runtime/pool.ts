// The function runtime: every edge function runs in node:worker_threads Workers, never on the proxy's
// event loop (perf-notes: a `while(true)` must not hang the proxy). Per function, workers are created on
// demand up to a maximum, each runs one invocation at a time of one build of the code (version + file +
// generation) and stays warm until idle too long; beyond the maximum, invocations wait in FIFO order.
// Concurrency limits (reserved, account) are counted apart from the pool, over invocations in flight
// (spec §9.2; docs/runtime.md explains how the two relate).

import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResolvedFunction } from '../config/types.js';
import { ConfigError } from '../config/errors.js';
import type { Logger } from '../log.js';
import type { RuntimeMetrics } from '../observe/metrics.js';
import type { CodeRef } from './code-types.js';
import {
  decodeWorkerMessage,
  encodeInvoke,
  ERROR_TYPES,
  type InitErrorMessage,
  type LogLevel,
  type StaticContext,
  timeoutMessage,
  type WorkerInit,
  type WorkerToHost,
} from './protocol.js';
import { createRingBuffer, RingReader } from './ring.js';
import type { FunctionPoolStats, FunctionRuntime, InvokeFailure, InvokeOutcome, InvokeRequest, RuntimeStats } from './types.js';

/** Lambda's init phase limit; loading the module does not count against the function timeout (spec §3.7). */
export const INIT_TIMEOUT_MS = 10_000;
/** How long close() waits for invocations in flight before terminating their workers. */
export const CLOSE_GRACE_MS = 2_000;

/** Lambda@Edge functions live in us-east-1 and always run a numbered version (spec §3.9). */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
/** The version reported when an InvokeRequest carries no CodeRef (no code registry wired): a numbered version, as L@E runs (spec §3.9). */
export const DEFAULT_FUNCTION_VERSION = '1';

/**
 * Where the worker entry is. Workers run built JavaScript (Node 20 cannot run .ts in a Worker): from
 * dist/ the file sits next to this one; from src/ (vitest transforms .ts) it is the built copy in dist/.
 */
export function resolveWorkerScript(moduleUrl: string = import.meta.url): string {
  if (moduleUrl.endsWith('.ts')) {
    const projectRoot = fileURLToPath(new URL('../../', moduleUrl));
    return path.join(projectRoot, 'dist', 'src', 'runtime', 'worker', 'worker.js');
  }
  return fileURLToPath(new URL('./worker/worker.js', moduleUrl));
}

/** The context fields that are the same for every invocation of one execution environment (spec §2.4). */
export function staticContext(fn: Pick<ResolvedFunction, 'id' | 'memorySize'>, version = DEFAULT_FUNCTION_VERSION, now = new Date()): StaticContext {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    // A replica's name carries the home region, like its log group (spec §2.4; docs/decisions.md).
    functionName: `${REGION}.${fn.id}`,
    functionVersion: version,
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${fn.id}:${version}`,
    memoryLimitInMB: String(fn.memorySize),
    logGroupName: `/aws/lambda/${REGION}.${fn.id}`,
    // One stream per execution environment: `YYYY/MM/DD/[version]<32 hex>`.
    logStreamName: `${day}/[${version}]${randomBytes(16).toString('hex')}`,
  };
}

/** Lambda's reserved variables only: Lambda@Edge has no user environment variables (spec §3.8). */
function lambdaEnv(fn: ResolvedFunction, code: CodeRef, ctx: StaticContext): Record<string, string> {
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
function handlerName(fn: ResolvedFunction, code: CodeRef): string {
  return `${path.basename(fn.file, path.extname(fn.file))}.${code.exportName}`;
}

/** The file as the user wrote it in the config: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * V8 heap limits for a function's memory size (spec §3.7, issue 4 point 1). The young generation gets
 * what V8 itself would give a heap of that size (3 semi-spaces of 1/128, at most 16 MB each), the old
 * generation the rest, so the worker's whole heap is bounded by memorySize (docs/runtime.md).
 */
export function heapLimits(memorySize: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  const young = Math.min(48, Math.max(1, Math.round((memorySize * 3) / 128)));
  return { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: Math.max(1, memorySize - young) };
}

/** Lambda's REPORT line (spec §9.5): Billed Duration is Duration rounded up to the next ms. */
export function reportLine(r: {
  awsRequestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number | undefined;
  status?: string | undefined;
  errorType?: string | undefined;
}): string {
  let line =
    `REPORT RequestId: ${r.awsRequestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms` +
    `\tMemory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  // Newer Lambda runtimes append the status of a failed environment [U] (docs/decisions.md).
  if (r.status !== undefined) line += `\tStatus: ${r.status}`;
  if (r.errorType !== undefined) line += `\tError Type: ${r.errorType}`;
  return line;
}

const MIB = 1024 * 1024;
/** At most this many invocations wait in one worker's backlog; the rest wait in the pool's queue. */
const PIPELINE_DEPTH = 16;

// ---------------------------------------------------------------------------------------------------

interface Invocation {
  readonly id: number;
  readonly req: InvokeRequest;
  readonly pool: FunctionPool;
  readonly code: CodeRef;
  readonly key: string;
  readonly awsRequestId: string;
  readonly resolve: (o: InvokeOutcome) => void;
  /** performance.now() when the handler started (after any cold start); 0 until then. */
  startedAt: number;
  slot: Slot | undefined;
  /** The module load this invocation waited for (a cold start). */
  initMs: number | undefined;
}

type InitResult = { ok: true; slot: Slot } | { ok: false; message: InitErrorMessage };

type SlotState = 'starting' | 'idle' | 'busy' | 'dead';

interface Slot {
  readonly pool: FunctionPool;
  readonly worker: Worker;
  /** What the worker sends, in order (ring.ts). */
  readonly ring: RingReader;
  /** The build this worker loaded; a worker only ever runs invocations of that exact build. */
  readonly code: CodeRef;
  readonly key: string;
  state: SlotState;
  current: Invocation | undefined;
  /**
   * Sent ahead to this worker, not started: it runs them one at a time after `current`. Under load the
   * pool fills workers' backlogs instead of holding invocations here, so one message carries several.
   */
  backlog: Invocation[];
  /** Invocations (encodeInvoke) to post at the end of this turn of the event loop, as one message. */
  outbox: string[];
  /** The last invocation this worker finished: Lambda prints console lines of background work with its request id. */
  lastId: number;
  lastRequestId: string;
  initTimer: NodeJS.Timeout | undefined;
  initWaiters: Array<(r: InitResult) => void>;
  exited: Promise<void>;
  /** Armed (refresh()) each time the worker goes idle; one Timeout object per worker, reused. */
  idleTimer: NodeJS.Timeout | undefined;
  /** Bytes: the worker's heap + off-heap high-water mark, from its last `done`. */
  mem: number;
  /**
   * The running invocation's timeout. A worker runs one invocation at a time, so one Timeout per worker,
   * re-armed (refresh()) when the next starts, replaces a setTimeout + clearTimeout per invocation; it may
   * stay armed after its invocation ended and then finds nothing to stop when it fires.
   */
  timer: NodeJS.Timeout | undefined;
  /** The duration `timer` was created with: refresh() keeps it. */
  timerMs: number;
}

function failure(reason: InvokeFailure, errorType: string, errorMessage: string, durationMs: number): InvokeOutcome {
  return { ok: false, reason, errorType, errorMessage, durationMs };
}

function elapsed(inv: Invocation): number {
  return inv.startedAt === 0 ? 0 : performance.now() - inv.startedAt;
}

/** Which worker may serve which invocation: same version, file, export and generation. */
const keys = new WeakMap<CodeRef, string>();
function codeKey(code: CodeRef): string {
  let k = keys.get(code);
  if (k === undefined) {
    k = `${code.version}\0${code.file}\0${code.exportName}\0${code.generation}`;
    keys.set(code, k);
  }
  return k;
}

/** All workers and invocations of one function (all its versions and generations). */
class FunctionPool {
  readonly slots = new Set<Slot>();
  /** Warm workers per code key; the most recently used is reused first so the others can retire. */
  readonly idle = new Map<string, Slot[]>();
  readonly queue: Invocation[] = [];
  readonly fn: ResolvedFunction;
  readonly rt: Runtime;
  /** The code when an InvokeRequest names none: fn.file (spec: `code` absent → the configured file). */
  readonly defaultCode: CodeRef;
  /** Newest generation seen per version: workers of older generations retire (hot reload). */
  private readonly newest = new Map<string, number>();
  /** Admitted and not settled: what reserved concurrency counts. */
  inFlight = 0;
  started = 0;
  retiredIdle = 0;
  retiredStale = 0;
  coldStarts = 0;

  constructor(rt: Runtime, fn: ResolvedFunction) {
    this.rt = rt;
    this.fn = fn;
    this.defaultCode = Object.freeze({ functionId: fn.id, version: DEFAULT_FUNCTION_VERSION, file: fn.file, exportName: fn.exportName, generation: 0 });
  }

  /** Notes the invocation's generation; a newer one retires the idle workers of older ones now, busy ones after their call. */
  noteGeneration(code: CodeRef): void {
    const seen = this.newest.get(code.version);
    if (seen !== undefined && code.generation <= seen) return;
    this.newest.set(code.version, code.generation);
    if (seen === undefined) return;
    for (const [key, list] of this.idle) {
      for (const slot of [...list]) if (this.isStale(slot)) this.retire(slot, 'stale');
      if (list.length === 0) this.idle.delete(key);
    }
  }

  isStale(slot: Slot): boolean {
    const newest = this.newest.get(slot.code.version);
    return newest !== undefined && slot.code.generation < newest;
  }

  enqueue(inv: Invocation): void {
    this.queue.push(inv);
    this.pump();
  }

  private takeIdle(key: string): Slot | undefined {
    const list = this.idle.get(key);
    return list === undefined ? undefined : list.pop();
  }

  private anyIdle(): Slot | undefined {
    for (const list of this.idle.values()) {
      const s = list[0];
      if (s !== undefined) return s;
    }
    return undefined;
  }

  /**
   * Gives waiting invocations, in FIFO order, to a warm worker of their code, else a new worker; when
   * the pool is full, an idle worker of other code (another version) makes room.
   */
  pump(): void {
    while (this.queue.length > 0 && !this.rt.closed) {
      const head = this.queue[0] as Invocation;
      let slot = this.takeIdle(head.key);
      if (slot === undefined) {
        if (this.slots.size >= this.rt.maxWorkers) {
          const other = this.anyIdle();
          if (other === undefined) {
            // Every worker is busy: queue it behind the shortest backlog of a worker of its code.
            const busy = this.shortestBacklog(head.key);
            if (busy === undefined) return;
            this.queue.shift();
            this.dispatch(busy, head);
            continue;
          }
          this.retire(other, 'evicted');
        }
        slot = this.spawn(head.code);
      }
      this.queue.shift();
      this.dispatch(slot, head);
    }
  }

  /** A busy worker of this code with room in its backlog (bounded, so a wedged worker holds few). */
  private shortestBacklog(key: string): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.key !== key || s.state !== 'busy' || this.isStale(s) || s.backlog.length >= PIPELINE_DEPTH) continue;
      if (best === undefined || s.backlog.length < best.backlog.length) best = s;
    }
    return best;
  }

  spawn(code: CodeRef): Slot {
    const context = staticContext(this.fn, code.version);
    const ring = createRingBuffer();
    const data: WorkerInit = { file: code.file, exportName: code.exportName, handlerName: handlerName(this.fn, code), context, ring, reportMemory: !this.rt.quiet };
    const worker = new Worker(this.rt.workerScript, {
      workerData: data,
      env: lambdaEnv(this.fn, code, context),
      stdout: true,
      stderr: true,
      resourceLimits: heapLimits(this.fn.memorySize),
      name: `edgeproxy:${this.fn.id}:${code.version}`,
    });
    let onExit: () => void = () => {};
    const slot: Slot = {
      pool: this,
      worker,
      ring: new RingReader(ring),
      code,
      key: codeKey(code),
      state: 'starting',
      current: undefined,
      backlog: [],
      outbox: [],
      lastId: 0,
      lastRequestId: 'undefined',
      initTimer: undefined,
      initWaiters: [],
      exited: new Promise<void>((r) => (onExit = r)),
      idleTimer: undefined,
      mem: 0,
      timer: undefined,
      timerMs: 0,
    };
    this.started++;
    slot.initTimer = setTimeout(onInitTimeout, INIT_TIMEOUT_MS, slot);
    this.slots.add(slot);
    worker.on('message', (m: unknown) => this.onMessage(slot, m));
    worker.on('error', (e: unknown) => this.onError(slot, e));
    worker.on('exit', (exitCode: number) => {
      onExit();
      this.onExit(slot, exitCode);
    });
    // Raw process.stdout/stderr writes (console is captured in the worker) still go through our log.
    worker.stdout.setEncoding('utf8');
    worker.stderr.setEncoding('utf8');
    worker.stdout.on('data', (chunk: string) => this.raw(slot, 'INFO', chunk));
    worker.stderr.on('data', (chunk: string) => this.raw(slot, 'ERROR', chunk));
    return slot;
  }

  dispatch(slot: Slot, inv: Invocation): void {
    let event: string;
    try {
      const e = inv.req.event;
      event = typeof e === 'string' ? e : JSON.stringify(e);
    } catch (e) {
      this.rt.settle(inv, failure('error', 'Edgeproxy.EventNotSerializable', `the event could not be serialized: ${String(e)}`, 0));
      if (slot.current === undefined && slot.state !== 'starting') this.release(slot);
      return;
    }
    inv.slot = slot;
    // Posted with everything else this turn gives the worker, as one message (protocol.ts: Invoke).
    if (slot.outbox.push(encodeInvoke(inv.id, inv.req.timeoutMs, inv.awsRequestId, event)) === 1) this.rt.flushSoon(slot);
    if (slot.current !== undefined) {
      // Behind the running one: the worker starts it when the current one settles.
      slot.backlog.push(inv);
      return;
    }
    slot.current = inv;
    // A cold worker starts the clock when its module has loaded ('ready'): Lambda's init phase does not
    // count against the function timeout.
    if (slot.state === 'idle') {
      slot.state = 'busy';
      this.rt.startClock(inv);
    }
  }

  /** A worker finished an invocation (or its load): reuse it, or retire it when its code is outdated. */
  release(slot: Slot): void {
    if (slot.state === 'dead') return;
    slot.state = 'idle';
    if (this.isStale(slot)) {
      this.retire(slot, 'stale');
      this.pump();
      return;
    }
    const head = this.queue[0];
    if (head !== undefined) {
      if (head.key === slot.key) {
        this.queue.shift();
        this.dispatch(slot, head);
        return;
      }
      // The next invocation needs other code: this worker makes room for it (FIFO over reuse).
      this.retire(slot, 'evicted');
      this.pump();
      return;
    }
    let list = this.idle.get(slot.key);
    if (list === undefined) {
      list = [];
      this.idle.set(slot.key, list);
    }
    list.push(slot);
    if (slot.idleTimer === undefined) {
      slot.idleTimer = setTimeout(onIdleTimeout, this.rt.idleTimeoutMs, slot);
      slot.idleTimer.unref();
    } else slot.idleTimer.refresh();
  }

  /** Idle for idleTimeoutMs: retire, except the last warm worker of current code when prewarm is on. */
  idleExpired(slot: Slot): void {
    if (slot.state !== 'idle') return;
    if (this.rt.prewarm && !this.isStale(slot)) {
      let live = 0;
      for (const s of this.slots) if (s.key === slot.key && s.state !== 'dead') live++;
      if (live <= 1) return;
    }
    this.retire(slot, 'idle');
  }

  /** Ends a worker that has nothing in flight. */
  retire(slot: Slot, why: 'idle' | 'stale' | 'evicted' | 'checked'): void {
    if (why === 'idle') this.retiredIdle++;
    else if (why === 'stale') this.retiredStale++;
    this.kill(slot, initFailure(ERROR_TYPES.shutdown, `the worker was retired (${why})`), false);
  }

  /** A wake (or an overflow record) from the worker: handle everything it has sent since the last look. */
  onMessage(slot: Slot, m: unknown): void {
    if (slot.state === 'dead') return;
    slot.ring.received(m);
    this.drain(slot);
  }

  drain(slot: Slot): void {
    while (slot.state !== 'dead') {
      const text = slot.ring.next();
      if (text === undefined) return;
      const msg = decodeWorkerMessage(text);
      if (msg !== undefined) this.handle(slot, msg);
    }
  }

  handle(slot: Slot, msg: WorkerToHost): void {
    switch (msg.t) {
      case 'log':
        this.rt.logLine(slot, requestIdFor(slot, msg.id), msg.level, msg.text);
        return;
      case 'done': {
        slot.mem = msg.mem;
        const inv = slot.current;
        if (inv === undefined || inv.id !== msg.id) return;
        slot.current = undefined;
        const durationMs = elapsed(inv);
        const outcome: InvokeOutcome = msg.ok ? parseResult(msg.result, durationMs) : failure('error', msg.errorType, msg.errorMessage, durationMs);
        this.rt.settle(inv, outcome);
        const next = slot.backlog.shift();
        if (next !== undefined) {
          // The worker has already started it: its clock runs from now.
          slot.current = next;
          this.rt.startClock(next);
          return;
        }
        this.release(slot);
        return;
      }
      case 'ready': {
        clearTimeout(slot.initTimer);
        slot.initTimer = undefined;
        for (const w of slot.initWaiters.splice(0)) w({ ok: true, slot });
        const inv = slot.current;
        if (inv !== undefined) {
          slot.state = 'busy';
          inv.initMs = msg.initMs;
          this.coldStarts++;
          this.rt.startClock(inv);
        } else if (slot.state === 'starting') this.release(slot);
        return;
      }
      case 'init-error': {
        const inv = slot.current;
        if (inv !== undefined) {
          // Lambda logs a failed init with the request that triggered it (Runtime.js: "Uncaught Exception").
          this.rt.log.info(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify({ errorType: msg.errorType, errorMessage: msg.errorMessage })}`, {
            type: 'function',
            level: 'ERROR',
            requestId: inv.awsRequestId,
            function: this.fn.id,
            trigger: inv.req.eventType,
            version: slot.code.version,
          });
          this.rt.settle(inv, failure('error', msg.errorType, msg.errorMessage, 0));
        }
        this.kill(slot, { ok: false, message: msg });
        return;
      }
      case 'fatal': {
        const inv = slot.current;
        if (inv !== undefined) this.rt.settle(inv, failure('crash', msg.errorType, msg.errorMessage, elapsed(inv)));
        else this.rt.log.warn(`function ${this.fn.id}: worker failed between invocations: ${msg.errorType}: ${msg.errorMessage}`);
        this.kill(slot, initFailure(msg.errorType, msg.errorMessage));
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  onError(slot: Slot, e: unknown): void {
    // What it wrote before dying comes first (its result, its last console lines, a fatal message).
    this.drain(slot);
    if (slot.state === 'dead') return;
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    const oom = code === 'ERR_WORKER_OUT_OF_MEMORY';
    const errorType = oom ? ERROR_TYPES.outOfMemory : e instanceof Error ? e.name : 'Error';
    const errorMessage = oom
      ? `Runtime exited with error: out of memory (memorySize ${this.fn.memorySize} MB)`
      : e instanceof Error
        ? e.message
        : String(e);
    // A dying worker's heap was at its limit: REPORT shows the memory size as used.
    if (oom) slot.mem = this.fn.memorySize * MIB;
    this.crashed(slot, errorType, errorMessage);
  }

  onExit(slot: Slot, code: number): void {
    this.drain(slot);
    if (slot.state === 'dead') return;
    this.crashed(slot, ERROR_TYPES.exit, `Runtime exited with error: exit status ${code}`);
  }

  private crashed(slot: Slot, errorType: string, errorMessage: string): void {
    const inv = slot.current;
    if (inv !== undefined) this.rt.settle(inv, failure('crash', errorType, errorMessage, elapsed(inv)));
    else if (slot.state !== 'starting') this.rt.log.warn(`function ${this.fn.id}: worker died between invocations: ${errorType}: ${errorMessage}`);
    this.kill(slot, initFailure(errorType, errorMessage));
  }

  /** Discards a worker (timeout, crash, failed load, retirement, close) and lets the queue move on. */
  kill(slot: Slot, initResult: InitResult, pump = true): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    slot.current = undefined;
    slot.outbox.length = 0;
    // Sent ahead but never started: they go back to the front of the queue for another worker.
    const unstarted = slot.backlog.splice(0);
    for (const inv of unstarted) inv.slot = undefined;
    if (this.rt.closed) {
      for (const inv of unstarted) this.rt.settle(inv, failure('crash', ERROR_TYPES.shutdown, 'edgeproxy is shutting down; the function was not run', 0));
    } else this.queue.unshift(...unstarted);
    clearTimeout(slot.initTimer);
    slot.initTimer = undefined;
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.timer);
    slot.timer = undefined;
    this.slots.delete(slot);
    const list = this.idle.get(slot.key);
    if (list !== undefined) {
      const i = list.indexOf(slot);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.idle.delete(slot.key);
    }
    for (const w of slot.initWaiters.splice(0)) w(initResult);
    this.rt.exiting.add(slot.exited);
    void slot.exited.then(() => this.rt.exiting.delete(slot.exited));
    // terminate() stops even `while(true){}` and `for(;;) await x` (V8 TerminateExecution); its promise settles on exit.
    slot.worker.terminate().catch(() => {});
    if (pump || unstarted.length > 0) this.pump();
  }

  raw(slot: Slot, level: LogLevel, chunk: string): void {
    // Raw writes carry no invocation id: the running invocation's, else the last one's.
    const inv = slot.current;
    const id = inv !== undefined && inv.startedAt !== 0 ? inv.awsRequestId : slot.lastRequestId;
    for (const line of chunk.split('\n')) if (line !== '') this.rt.logLine(slot, id, level, line);
  }

  /** Resolves with the first load result of a worker of `code`, starting one when none is loading. */
  loadOnce(code: CodeRef): Promise<InitResult> {
    const key = codeKey(code);
    let starting: Slot | undefined;
    for (const s of this.slots) {
      if (s.key !== key) continue;
      if (s.state === 'idle' || s.state === 'busy') return Promise.resolve({ ok: true, slot: s });
      if (s.state === 'starting') starting = s;
    }
    const slot = starting ?? this.spawn(code);
    return new Promise<InitResult>((r) => slot.initWaiters.push(r));
  }

  stats(): FunctionPoolStats {
    const workers = { starting: 0, idle: 0, busy: 0 };
    for (const s of this.slots) if (s.state !== 'dead') workers[s.state]++;
    return {
      functionId: this.fn.id,
      workers,
      inFlight: this.inFlight,
      queued: this.queue.length,
      started: this.started,
      retiredIdle: this.retiredIdle,
      retiredStale: this.retiredStale,
      coldStarts: this.coldStarts,
    };
  }
}

/**
 * The request id a console line belongs to: the invocation the worker was running when it was written
 * (the worker tags each line), the last finished one for background work, `undefined` during init — as
 * Lambda prints them (spec §9.5).
 */
function requestIdFor(slot: Slot, id: number): string {
  if (id === 0) return 'undefined';
  if (slot.current?.id === id) return slot.current.awsRequestId;
  return id === slot.lastId ? slot.lastRequestId : 'undefined';
}

function parseResult(json: string, durationMs: number): InvokeOutcome {
  try {
    return { ok: true, result: JSON.parse(json) as unknown, durationMs };
  } catch {
    return failure('error', ERROR_TYPES.stringify, 'the worker sent a result that is not JSON', durationMs);
  }
}

function initFailure(errorType: string, errorMessage: string): InitResult {
  return { ok: false, message: { t: 'init-error', errorType, errorMessage } };
}

/** Starts the running invocation's timeout on its worker's one Timeout (a new one only when the duration changes). */
function armTimeout(slot: Slot, ms: number): void {
  if (slot.timer !== undefined && slot.timerMs === ms) {
    slot.timer.refresh();
    return;
  }
  clearTimeout(slot.timer);
  slot.timer = setTimeout(onSlotTimeout, ms, slot);
  slot.timerMs = ms;
}

function onSlotTimeout(slot: Slot): void {
  const inv = slot.current;
  // Armed for an invocation that has ended (the worker is idle, or its successor has not started yet).
  if (inv === undefined || inv.startedAt === 0 || slot.state === 'dead') return;
  const left = inv.req.timeoutMs - (performance.now() - inv.startedAt);
  // Timers may fire up to a millisecond early by performance.now(): only a real remainder re-arms.
  if (left >= 1) {
    slot.timer = setTimeout(onSlotTimeout, left, slot);
    slot.timerMs = -1;
    return;
  }
  onInvokeTimeout(inv, slot);
}

function onInvokeTimeout(inv: Invocation, slot: Slot): void {
  const ms = elapsed(inv);
  const rt = slot.pool.rt;
  // Lambda's timeout line (spec §9.5), before END and REPORT.
  rt.log.info(`${new Date().toISOString()} ${inv.awsRequestId} ${timeoutMessage(ms)}`, {
    type: 'platform',
    event: 'timeout',
    requestId: inv.awsRequestId,
    function: slot.pool.fn.id,
    trigger: inv.req.eventType,
    version: inv.code.version,
  });
  rt.settle(inv, failure('timeout', ERROR_TYPES.timeout, timeoutMessage(ms), ms));
  slot.pool.kill(slot, initFailure(ERROR_TYPES.timeout, timeoutMessage(ms)));
}

function onInitTimeout(slot: Slot): void {
  slot.initTimer = undefined;
  if (slot.state !== 'starting') return;
  const message = `Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`;
  const inv = slot.current;
  if (inv !== undefined) slot.pool.rt.settle(inv, failure('timeout', ERROR_TYPES.timeout, message, 0));
  slot.pool.kill(slot, initFailure(ERROR_TYPES.timeout, message));
}

function onIdleTimeout(slot: Slot): void {
  slot.pool.idleExpired(slot);
}

export interface RuntimeOptions {
  log: Logger;
  /** Worker threads per function at most (runtime.maxWorkersPerFunction). */
  maxWorkersPerFunction: number;
  /** The account's concurrency limit across functions (spec §9.2); default 1000. */
  accountConcurrency?: number;
  /** Idle workers retire after this many ms (runtime.idleTimeoutMs); default 300 000. */
  idleTimeoutMs?: number;
  /** Keep the worker check() loaded (one per function at boot) and never retire a function's last warm worker. */
  prewarm?: boolean;
  /** Every configured function: their reservedConcurrency is carved out of the account limit up front. */
  functions?: Iterable<ResolvedFunction>;
  metrics?: RuntimeMetrics;
}

/** The runtime createRuntime returns: the pipeline's contract plus a view of the pool. */
export interface EdgeRuntime extends FunctionRuntime {
  stats(): RuntimeStats;
}

const THROTTLE_TYPE = 'TooManyRequestsException';
/** Lambda's message for a throttled synchronous invoke (spec §9.2). */
const THROTTLE_MESSAGE = 'Rate Exceeded.';

class Runtime implements EdgeRuntime {
  readonly log: Logger;
  readonly maxWorkers: number;
  readonly workerScript: string;
  readonly idleTimeoutMs: number;
  readonly prewarm: boolean;
  /** The logger drops info lines: START/END/REPORT and function console lines are not even built. */
  readonly quiet: boolean;
  readonly unreservedLimit: number;
  closed = false;
  /** Workers on their way out; close() waits for them so no thread outlives the runtime. */
  readonly exiting = new Set<Promise<void>>();
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly pools = new Map<string, FunctionPool>();
  private unreservedInFlight = 0;
  private seq = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: RuntimeOptions, workerScript: string, unreservedLimit: number) {
    this.log = opts.log;
    this.quiet = opts.log.quietInfo === true;
    this.maxWorkers = opts.maxWorkersPerFunction;
    this.workerScript = workerScript;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 300_000;
    this.prewarm = opts.prewarm ?? false;
    this.metrics = opts.metrics;
    this.unreservedLimit = unreservedLimit;
  }

  invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) {
      return Promise.resolve(failure('crash', ERROR_TYPES.shutdown, 'edgeproxy is shutting down; the function was not run', 0));
    }
    const pool = this.poolFor(req.fn);
    const code = req.code ?? pool.defaultCode;
    // spec §9.2: reserved concurrency both guarantees and caps a function; the others share what is left
    // of the account limit. Invocations waiting for a worker count: they are concurrent invocations.
    const reserved = req.fn.reservedConcurrency;
    if (reserved !== undefined ? pool.inFlight >= reserved : this.unreservedInFlight >= this.unreservedLimit) {
      this.metrics?.recordThrottle(req.fn.id, code.version);
      return Promise.resolve({
        ok: false,
        reason: 'throttled',
        errorType: THROTTLE_TYPE,
        errorMessage: THROTTLE_MESSAGE,
        throttleReason: reserved !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded',
        durationMs: 0,
        version: code.version,
      });
    }
    pool.noteGeneration(code);
    pool.inFlight++;
    if (reserved === undefined) this.unreservedInFlight++;
    this.inFlight++;
    this.metrics?.recordInvocationStart(req.fn.id, code.version);
    return new Promise<InvokeOutcome>((resolve) => {
      const inv: Invocation = {
        id: ++this.seq,
        req,
        pool,
        code,
        key: codeKey(code),
        awsRequestId: randomUUID(),
        resolve,
        startedAt: 0,
        slot: undefined,
        initMs: undefined,
      };
      pool.enqueue(inv);
    });
  }

  private readonly toFlush = new Set<Slot>();
  private flushScheduled = false;

  /** Posts each slot's outbox as one batch message once this turn's requests have been dispatched. */
  flushSoon(slot: Slot): void {
    this.toFlush.add(slot);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const s of this.toFlush) {
        if (s.state === 'dead' || s.outbox.length === 0) continue;
        s.worker.postMessage(s.outbox.length === 1 ? (s.outbox[0] as string) : s.outbox.join('\n'));
        s.outbox.length = 0;
      }
      this.toFlush.clear();
    });
  }

  /** The handler starts now: the timeout runs from here, and Lambda prints START (spec §9.5). */
  startClock(inv: Invocation): void {
    inv.startedAt = performance.now();
    const slot = inv.slot;
    if (slot !== undefined) armTimeout(slot, inv.req.timeoutMs);
    if (this.quiet) return;
    // Lambda's exact START line; the link to the viewer's request (X-Amz-Cf-Id) is the `cfRequestId` field
    // in JSON, and the awsRequestId in the pipeline's error line (docs/decisions.md).
    this.log.info(`START RequestId: ${inv.awsRequestId} Version: ${inv.code.version}`, {
      type: 'platform',
      event: 'start',
      requestId: inv.awsRequestId,
      cfRequestId: inv.req.requestId,
      function: inv.pool.fn.id,
      trigger: inv.req.eventType,
      version: inv.code.version,
    });
  }

  settle(inv: Invocation, outcome: InvokeOutcome): void {
    const pool = inv.pool;
    const slot = inv.slot;
    if (slot !== undefined && slot.current === undefined) {
      slot.lastId = inv.id;
      slot.lastRequestId = inv.awsRequestId;
    }
    outcome.version = inv.code.version;
    outcome.awsRequestId = inv.awsRequestId;
    if (inv.initMs !== undefined) outcome.initDurationMs = inv.initMs;
    if (inv.startedAt !== 0 && !this.quiet) this.logEnd(inv, outcome);
    pool.inFlight--;
    if (inv.req.fn.reservedConcurrency === undefined) this.unreservedInFlight--;
    this.metrics?.recordInvocationEnd(pool.fn.id, inv.code.version, outcome.durationMs, !outcome.ok);
    inv.resolve(outcome);
    this.inFlight--;
    if (this.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  private logEnd(inv: Invocation, outcome: InvokeOutcome): void {
    const requestId = inv.awsRequestId;
    const cfRequestId = inv.req.requestId;
    const fnId = inv.pool.fn.id;
    const version = inv.code.version;
    const trigger = inv.req.eventType;
    // Literal objects, not spreads of a shared base: this runs twice per invocation, logger or not.
    this.log.info(`END RequestId: ${requestId}`, { type: 'platform', event: 'end', requestId, cfRequestId, function: fnId, trigger, version });
    const slot = inv.slot;
    const memorySizeMb = inv.pool.fn.memorySize;
    const maxMemoryUsedMb = Math.min(memorySizeMb, Math.max(1, Math.ceil((slot?.mem ?? 0) / MIB)));
    const status = outcome.ok ? undefined : outcome.reason === 'timeout' ? 'timeout' : outcome.reason === 'crash' ? 'error' : undefined;
    const errorType = !outcome.ok && outcome.reason === 'crash' ? outcome.errorType : undefined;
    const r = { awsRequestId: inv.awsRequestId, durationMs: outcome.durationMs, memorySizeMb, maxMemoryUsedMb, initDurationMs: inv.initMs, status, errorType };
    this.log.info(reportLine(r), {
      type: 'platform',
      event: 'report',
      requestId,
      cfRequestId,
      function: fnId,
      trigger,
      version,
      durationMs: round2(r.durationMs),
      billedDurationMs: Math.max(1, Math.ceil(r.durationMs)),
      memorySizeMB: memorySizeMb,
      maxMemoryUsedMB: maxMemoryUsedMb,
      initDurationMs: inv.initMs === undefined ? undefined : round2(inv.initMs),
      status,
      errorType,
    });
  }

  /** A function's console line: Lambda's `<ISO time>\t<awsRequestId>\t<LEVEL>\t<text>` (spec §9.5). */
  logLine(slot: Slot, requestId: string, level: LogLevel, text: string): void {
    if (this.quiet) return;
    this.log.info(`${new Date().toISOString()}\t${requestId}\t${level}\t${text}`, {
      type: 'function',
      level,
      requestId,
      function: slot.pool.fn.id,
      trigger: slot.current?.req.eventType,
      version: slot.code.version,
      message: text,
    });
  }

  async check(fn: ResolvedFunction, code?: CodeRef): Promise<void> {
    const where = `functions[${fn.id}]: ${displayPath(fn.file)}`;
    let isFile = false;
    try {
      isFile = (await stat(fn.file)).isFile();
    } catch {
      throw new ConfigError('FunctionLoadError', `${where} does not exist`);
    }
    if (!isFile) throw new ConfigError('FunctionLoadError', `${where} is not a file`);
    if (code === undefined && /\.[cm]?ts$/.test(fn.file)) {
      throw new ConfigError('FunctionLoadError', `${where}: TypeScript functions need the code registry (src/runtime/code.ts); point to a .js/.mjs/.cjs file`);
    }
    if (this.closed) throw new ConfigError('FunctionLoadError', `${where}: the runtime is closed`);
    const pool = this.poolFor(fn);
    const ref = code ?? pool.defaultCode;
    pool.noteGeneration(ref);
    const r = await pool.loadOnce(ref);
    if (r.ok) {
      // Without prewarm the first request is a cold start, as in Lambda: the checking worker goes.
      if (!this.prewarm && r.slot.state === 'idle') pool.retire(r.slot, 'checked');
      return;
    }
    throw new ConfigError('FunctionLoadError', await describeLoadFailure(where, fn, r.message));
  }

  stats(): RuntimeStats {
    return {
      functions: [...this.pools.values()].map((p) => p.stats()),
      unreservedInFlight: this.unreservedInFlight,
      unreservedLimit: this.unreservedLimit,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const pool of this.pools.values()) {
      for (const inv of pool.queue.splice(0)) {
        this.settle(inv, failure('crash', ERROR_TYPES.shutdown, 'edgeproxy is shutting down; the function was not run', 0));
      }
    }
    if (this.inFlight > 0) {
      let grace: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        this.drained = r;
        grace = setTimeout(r, CLOSE_GRACE_MS);
      });
      clearTimeout(grace);
      this.drained = undefined;
    }
    for (const pool of this.pools.values()) {
      for (const slot of [...pool.slots]) {
        const inv = slot.current;
        if (inv !== undefined) this.settle(inv, failure('crash', ERROR_TYPES.shutdown, 'edgeproxy shut down while the function was running', elapsed(inv)));
        pool.kill(slot, initFailure(ERROR_TYPES.shutdown, 'the runtime was closed'), false);
      }
    }
    await Promise.all([...this.exiting]);
  }

  private poolFor(fn: ResolvedFunction): FunctionPool {
    let pool = this.pools.get(fn.id);
    if (pool === undefined) {
      pool = new FunctionPool(this, fn);
      this.pools.set(fn.id, pool);
    }
    return pool;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** One line for the operator: what failed, in which file, and where (docs: ConfigError). */
async function describeLoadFailure(where: string, fn: ResolvedFunction, m: InitErrorMessage): Promise<string> {
  if (m.errorType === ERROR_TYPES.handlerNotFound) {
    const list = m.exports === undefined || m.exports.length === 0 ? 'none' : m.exports.join(', ');
    if (m.exportType !== undefined) return `${where}: export "${fn.exportName}" is a ${m.exportType}, not a function (exports: ${list})`;
    return `${where} has no export "${fn.exportName}" (exports: ${list})`;
  }
  if (m.errorType === ERROR_TYPES.syntax) {
    const location = m.location ?? (await syntaxLocationByNodeCheck(fn.file));
    const at = location === undefined ? '' : ` (${displayLocation(location)})`;
    return `${where} failed to load: ${m.errorMessage}${at}`;
  }
  if (m.errorType === ERROR_TYPES.importModule) return `${where} failed to load: ${m.errorMessage}`;
  if (m.errorType === ERROR_TYPES.timeout) return `${where} did not finish loading within ${INIT_TIMEOUT_MS / 1000} s`;
  return `${where} failed to load: ${m.errorType}: ${m.errorMessage}`;
}

function displayLocation(location: string): string {
  const i = location.lastIndexOf(':');
  return i < 0 ? location : `${displayPath(location.slice(0, i))}${location.slice(i)}`;
}

/**
 * Node 20 gives an ES module's SyntaxError no position, but `node --check` prints `file:line` first.
 * Only run on the failure path at start.
 */
function syntaxLocationByNodeCheck(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 5_000, encoding: 'utf8' }, (_err, _stdout, stderr) => {
      const m = /^(.+):(\d+)$/.exec(stderr.split('\n', 1)[0] ?? '');
      if (m?.[1] === undefined || m[2] === undefined) return resolve(undefined);
      const where = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
      resolve(`${where}:${m[2]}`);
    });
  });
}

export function createRuntime(opts: RuntimeOptions): EdgeRuntime {
  if (!Number.isInteger(opts.maxWorkersPerFunction) || opts.maxWorkersPerFunction < 1) {
    throw new ConfigError('InvalidConfig', `runtime.maxWorkersPerFunction: must be an integer ≥ 1, got ${String(opts.maxWorkersPerFunction)}`);
  }
  const account = opts.accountConcurrency ?? 1000;
  if (!Number.isInteger(account) || account < 1) throw new ConfigError('InvalidConfig', `runtime.accountConcurrency: must be an integer ≥ 1, got ${String(account)}`);
  const idle = opts.idleTimeoutMs ?? 300_000;
  if (!(idle > 0)) throw new ConfigError('InvalidConfig', `runtime.idleTimeout: must be > 0, got ${String(idle)} ms`);
  // Lambda refuses reservations that leave nothing for the other functions; so does edgeproxy, at start.
  let reserved = 0;
  for (const fn of opts.functions ?? []) reserved += fn.reservedConcurrency ?? 0;
  if (reserved > account) {
    throw new ConfigError('InvalidConfig', `functions[].reservedConcurrency: the reservations add up to ${reserved}, more than runtime.accountConcurrency (${account})`);
  }
  const script = resolveWorkerScript();
  if (!existsSync(script)) {
    throw new Error(`edgeproxy: the function worker ${script} is missing; build first (npm run build, or npx tsc -p tsconfig.json)`);
  }
  return new Runtime(opts, script, account - reserved);
}
