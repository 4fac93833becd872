// Scheduling for one function: its workers (slot.ts) and the invocations waiting for one. Workers are
// created on demand up to maxWorkersPerFunction; each runs one build of the code (version + file +
// export + generation) one invocation at a time and stays warm until idle too long. Waiting
// invocations go, in FIFO order, to a warm worker of their code, else a new worker, else the shortest
// backlog of a busy one. What a worker sends back (ring.ts, protocol.ts) drives its slot's transitions.

import type { Worker } from 'node:worker_threads';
import type { ResolvedFunction } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Batch } from './batch.js';
import type { CodeRef } from './code-types.js';
import { DEFAULT_FUNCTION_VERSION } from './identity.js';
import { MIB } from './memory.js';
import { edgeResult, elapsed, failure, initFailure, notRun, parseResult } from './outcome.js';
import type { PlatformLog } from './platform-log.js';
import { decodeWorkerMessage, encodeInvoke, ERROR_TYPES, type LogLevel, timeoutMessage, type WorkerToHost } from './protocol.js';
import { INIT_TIMEOUT_MS, type InitResult, type Invocation, type InvocationPool, Slot, type SlotOwner } from './slot.js';
import { type RingReader, RingWriter } from './ring.js';
import type { FunctionPoolStats, InvokeOutcome } from './types.js';

/** At most this many invocations wait in one worker's backlog; the rest wait in the pool's queue. */
const PIPELINE_DEPTH = 16;

/** What a function's pool needs from the runtime around it (pool.ts). */
export interface PoolHost {
  /** Once set, nothing new starts: queued invocations are settled as not run. */
  readonly closed: boolean;
  readonly settings: PoolSettings;
  readonly logs: PlatformLog;
  readonly batch: Batch;
  /** Workers on their way out; close() waits for them so no thread outlives the runtime. */
  readonly exiting: Set<Promise<void>>;
  /** Ends an admitted invocation: logs, counters, metrics, and its promise. Exactly once per invocation. */
  settle(inv: Invocation, outcome: InvokeOutcome): void;
  /**
   * A new thread loading `code` (worker-start.ts for Lambda's Node.js runtime). The pool only needs it
   * to speak protocol.ts through a ring, so another kind of worker code can be scheduled the same way.
   */
  startWorker(fn: ResolvedFunction, code: CodeRef): { worker: Worker; ring: RingReader; inbox?: SharedArrayBuffer };
}

/** The runtime's settings, resolved by the config layer (src/config/defaults.ts). */
export interface PoolSettings {
  readonly maxWorkersPerFunction: number;
  readonly idleTimeoutMs: number;
  readonly prewarm: boolean;
}

/** Which worker may serve which invocation: same version, file, export and generation. */
const keys = new WeakMap<CodeRef, string>();
export function codeKey(code: CodeRef): string {
  let k = keys.get(code);
  if (k === undefined) {
    k = `${code.version}\0${code.file}\0${code.exportName}\0${code.generation}`;
    keys.set(code, k);
  }
  return k;
}

type RetireReason = 'idle' | 'stale' | 'evicted' | 'checked';

/** All workers and invocations of one function (all its versions and generations). */
export class FunctionPool implements InvocationPool, SlotOwner {
  readonly slots = new Set<Slot>();
  /** Warm workers per code key; the most recently used is reused first so the others can retire. */
  readonly #idle = new Map<string, Slot[]>();
  readonly queue: Invocation[] = [];
  /** The code when an InvokeRequest names none: fn.file as the default version. */
  readonly defaultCode: CodeRef;
  /** Newest generation seen per version: workers of older generations retire (hot reload). */
  readonly #newest = new Map<string, number>();
  readonly #maxWorkers: number;
  readonly #log: Logger;
  /** Admitted and not settled: what reserved concurrency counts (admission.ts). */
  inFlight = 0;
  #started = 0;
  #retiredIdle = 0;
  #retiredStale = 0;
  #coldStarts = 0;

  constructor(
    readonly host: PoolHost,
    readonly fn: ResolvedFunction,
  ) {
    this.#maxWorkers = host.settings.maxWorkersPerFunction;
    this.#log = host.logs.log;
    this.defaultCode = Object.freeze({ functionId: fn.id, version: DEFAULT_FUNCTION_VERSION, file: fn.file, exportName: fn.exportName, generation: 0 });
  }

  /** Notes the invocation's generation; a newer one retires the idle workers of older ones now, busy ones after their call. */
  noteGeneration(code: CodeRef): void {
    const seen = this.#newest.get(code.version);
    if (seen !== undefined && code.generation <= seen) return;
    this.#newest.set(code.version, code.generation);
    if (seen === undefined) return;
    for (const [key, list] of this.#idle) {
      for (const slot of [...list]) if (this.#isStale(slot)) this.retire(slot, 'stale');
      if (list.length === 0) this.#idle.delete(key);
    }
  }

  #isStale(slot: Slot): boolean {
    const newest = this.#newest.get(slot.code.version);
    return newest !== undefined && slot.code.generation < newest;
  }

  enqueue(inv: Invocation): void {
    this.queue.push(inv);
    this.#pump();
  }

  #takeIdle(key: string): Slot | undefined {
    const list = this.#idle.get(key);
    return list === undefined ? undefined : list.pop();
  }

  #anyIdle(): Slot | undefined {
    for (const list of this.#idle.values()) {
      const s = list[0];
      if (s !== undefined) return s;
    }
    return undefined;
  }

  /**
   * Gives waiting invocations, in FIFO order, to a warm worker of their code, else a new worker; when
   * the pool is full, an idle worker of other code (another version) makes room.
   */
  #pump(): void {
    while (this.queue.length > 0 && !this.host.closed) {
      const head = this.queue[0] as Invocation;
      let slot = this.#takeIdle(head.key);
      if (slot === undefined) {
        if (this.slots.size >= this.#maxWorkers) {
          const other = this.#anyIdle();
          if (other === undefined) {
            // Every worker is busy: queue it behind the shortest backlog of a worker of its code.
            const busy = this.#shortestBacklog(head.key);
            if (busy === undefined) return;
            this.queue.shift();
            this.#dispatch(busy, head);
            continue;
          }
          this.retire(other, 'evicted');
        }
        slot = this.#spawn(head.code);
      }
      this.queue.shift();
      this.#dispatch(slot, head);
    }
  }

  /** A busy worker of this code with room in its backlog (bounded, so a wedged worker holds few). */
  #shortestBacklog(key: string): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.key !== key || s.state !== 'busy' || this.#isStale(s) || s.backlogLength >= PIPELINE_DEPTH) continue;
      if (best === undefined || s.backlogLength < best.backlogLength) best = s;
    }
    return best;
  }

  #spawn(code: CodeRef): Slot {
    const { worker, ring, inbox } = this.host.startWorker(this.fn, code);
    let onExit: () => void = () => {};
    const exited = new Promise<void>((r) => (onExit = r));
    const slot = new Slot(this, worker, ring, code, codeKey(code), exited, inbox === undefined ? undefined : new RingWriter(inbox, (m) => worker.postMessage(m)));
    this.#started++;
    this.slots.add(slot);
    worker.on('message', (m: unknown) => this.#onMessage(slot, m));
    worker.on('error', (e: unknown) => this.#onError(slot, e));
    worker.on('exit', (exitCode: number) => {
      onExit();
      this.#onExit(slot, exitCode);
    });
    // Raw process.stdout/stderr writes (console is captured in the worker) still go through our log.
    worker.stdout.setEncoding('utf8');
    worker.stderr.setEncoding('utf8');
    worker.stdout.on('data', (chunk: string) => this.#raw(slot, 'INFO', chunk));
    worker.stderr.on('data', (chunk: string) => this.#raw(slot, 'ERROR', chunk));
    return slot;
  }

  #dispatch(slot: Slot, inv: Invocation): void {
    inv.slot = slot;
    // Posted with everything else this turn gives the worker, as one message (protocol.ts: Invoke).
    if (slot.post(encodeInvoke(inv.id, inv.req.timeoutMs, inv.awsRequestId, inv.event))) this.host.batch.add(slot);
    // A cold worker starts the clock when its module has loaded ('ready'): Lambda's init phase does not
    // count against the function timeout.
    if (slot.give(inv)) this.#startClock(slot, inv);
  }

  /** The handler starts now: the timeout runs from here, and Lambda prints START. */
  #startClock(slot: Slot, inv: Invocation): void {
    slot.startClock(inv);
    this.host.logs.start(inv);
  }

  /** A worker has nothing to run (it finished, or loaded with nothing waiting): reuse it, or retire it when its code is outdated. */
  #becameIdle(slot: Slot): void {
    if (this.#isStale(slot)) {
      this.retire(slot, 'stale');
      this.#pump();
      return;
    }
    const head = this.queue[0];
    if (head !== undefined) {
      if (head.key === slot.key) {
        this.queue.shift();
        this.#dispatch(slot, head);
        return;
      }
      // The next invocation needs other code: this worker makes room for it (FIFO over reuse).
      this.retire(slot, 'evicted');
      this.#pump();
      return;
    }
    let list = this.#idle.get(slot.key);
    if (list === undefined) {
      list = [];
      this.#idle.set(slot.key, list);
    }
    list.push(slot);
    slot.armIdle(this.host.settings.idleTimeoutMs);
  }

  // ---- the slot's timers (SlotOwner) ----

  /** Idle for idleTimeoutMs: retire, except the last warm worker of current code when prewarm is on. */
  idleExpired(slot: Slot): void {
    if (this.host.settings.prewarm && !this.#isStale(slot)) {
      let live = 0;
      for (const s of this.slots) if (s.key === slot.key && s.state !== 'dead') live++;
      if (live <= 1) return;
    }
    this.retire(slot, 'idle');
  }

  invokeTimedOut(slot: Slot, inv: Invocation): void {
    const ms = elapsed(inv);
    // Lambda's timeout line comes before END and REPORT.
    this.host.logs.timedOut(inv, ms);
    this.host.settle(inv, failure('timeout', ERROR_TYPES.timeout, timeoutMessage(ms), ms));
    this.kill(slot, initFailure(ERROR_TYPES.timeout, timeoutMessage(ms)));
  }

  initTimedOut(slot: Slot): void {
    const message = `Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`;
    const inv = slot.current;
    if (inv !== undefined) this.host.settle(inv, failure('timeout', ERROR_TYPES.timeout, message, 0));
    this.kill(slot, initFailure(ERROR_TYPES.timeout, message));
  }

  /** Ends a worker that has nothing in flight. */
  retire(slot: Slot, why: RetireReason): void {
    if (why === 'idle') this.#retiredIdle++;
    else if (why === 'stale') this.#retiredStale++;
    this.kill(slot, initFailure(ERROR_TYPES.shutdown, `the worker was retired (${why})`), false);
  }

  // ---- what the worker sends ----

  /** A wake (or an overflow record) from the worker: handle everything it has sent since the last look. */
  #onMessage(slot: Slot, m: unknown): void {
    if (slot.state === 'dead') return;
    slot.ring.received(m);
    this.#drain(slot);
  }

  #drain(slot: Slot): void {
    while (slot.state !== 'dead') {
      const text = slot.ring.next();
      if (text === undefined) return;
      const msg = decodeWorkerMessage(text);
      if (msg !== undefined) this.#handle(slot, msg);
    }
  }

  /** One message, checked against the slot's state first: a message that does not fit it is ignored. */
  #handle(slot: Slot, msg: WorkerToHost): void {
    switch (msg.t) {
      case 'log':
        if (!this.host.logs.quiet) this.host.logs.functionLine(this.fn.id, slot.current?.req.eventType, slot.code.version, slot.requestIdFor(msg.id), msg.level, msg.text);
        return;
      case 'done': {
        slot.mem = msg.mem;
        const inv = slot.current;
        if (inv === undefined || inv.id !== msg.id || slot.state !== 'busy') return;
        slot.finish();
        const durationMs = elapsed(inv);
        const outcome: InvokeOutcome = msg.ok
          ? inv.req.edge === true
            ? edgeResult(msg.result, durationMs)
            : parseResult(msg.result, durationMs)
          : failure('error', msg.errorType, msg.errorMessage, durationMs);
        if (!msg.ok && msg.stack !== undefined && !outcome.ok) outcome.stack = msg.stack;
        this.host.settle(inv, outcome);
        const next = slot.current;
        // The worker has already started the next one sent ahead: its clock runs from now.
        if (next !== undefined) this.#startClock(slot, next);
        else this.#becameIdle(slot);
        return;
      }
      case 'ready': {
        if (slot.state !== 'starting') return;
        const inv = slot.loaded();
        if (inv !== undefined) {
          inv.initMs = msg.initMs;
          this.#coldStarts++;
          this.#startClock(slot, inv);
        } else this.#becameIdle(slot);
        return;
      }
      case 'init-error': {
        const inv = slot.current;
        if (inv !== undefined) {
          this.host.logs.initFailed(inv, slot.code.version, msg.errorType, msg.errorMessage);
          this.host.settle(inv, failure('error', msg.errorType, msg.errorMessage, 0));
        }
        this.kill(slot, { ok: false, message: msg });
        return;
      }
      case 'fatal': {
        const inv = slot.current;
        if (inv !== undefined) this.host.settle(inv, failure('crash', msg.errorType, msg.errorMessage, elapsed(inv)));
        else this.#log.warn(`function ${this.fn.id}: worker failed between invocations: ${msg.errorType}: ${msg.errorMessage}`);
        this.kill(slot, initFailure(msg.errorType, msg.errorMessage));
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  #onError(slot: Slot, e: unknown): void {
    // What it wrote before dying comes first (its result, its last console lines, a fatal message).
    this.#drain(slot);
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
    this.#crashed(slot, errorType, errorMessage);
  }

  #onExit(slot: Slot, code: number): void {
    this.#drain(slot);
    if (slot.state === 'dead') return;
    this.#crashed(slot, ERROR_TYPES.exit, `Runtime exited with error: exit status ${code}`);
  }

  #crashed(slot: Slot, errorType: string, errorMessage: string): void {
    const inv = slot.current;
    if (inv !== undefined) this.host.settle(inv, failure('crash', errorType, errorMessage, elapsed(inv)));
    else if (slot.state !== 'starting') this.#log.warn(`function ${this.fn.id}: worker died between invocations: ${errorType}: ${errorMessage}`);
    this.kill(slot, initFailure(errorType, errorMessage));
  }

  #raw(slot: Slot, level: LogLevel, chunk: string): void {
    if (this.host.logs.quiet) return;
    // stdout/stderr come through their own channel: what the worker wrote into the ring before this
    // chunk (its `ready`, the `done` of the invocation that wrote it) is taken first, so the chunk
    // carries the request id of the invocation that wrote it.
    this.#drain(slot);
    const id = slot.rawRequestId();
    const trigger = slot.current?.req.eventType;
    for (const line of chunk.split('\n')) if (line !== '') this.host.logs.functionLine(this.fn.id, trigger, slot.code.version, id, level, line);
  }

  // ---- the end of a worker ----

  /** Discards a worker (timeout, crash, failed load, retirement, close) and lets the queue move on. */
  kill(slot: Slot, initResult: InitResult, pump = true): void {
    if (slot.state === 'dead') return;
    // Sent ahead but never started: they go back to the front of the queue for another worker.
    const unstarted = slot.die(initResult);
    if (this.host.closed) {
      for (const inv of unstarted) this.host.settle(inv, notRun());
    } else this.queue.unshift(...unstarted);
    this.slots.delete(slot);
    const list = this.#idle.get(slot.key);
    if (list !== undefined) {
      const i = list.indexOf(slot);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#idle.delete(slot.key);
    }
    const exiting = this.host.exiting;
    exiting.add(slot.exited);
    void slot.exited.then(() => exiting.delete(slot.exited));
    // terminate() stops even `while(true){}` and `for(;;) await x` (V8 TerminateExecution); its promise settles on exit.
    slot.worker.terminate().catch(() => {});
    if (pump || unstarted.length > 0) this.#pump();
  }

  /** Resolves with the first load result of a worker of `code`, starting one when none is loading. */
  loadOnce(code: CodeRef): Promise<InitResult> {
    const key = codeKey(code);
    let starting: Slot | undefined;
    for (const s of this.slots) {
      if (s.key !== key) continue;
      if (s.state === 'idle' || s.state === 'busy') return s.whenLoaded();
      if (s.state === 'starting') starting = s;
    }
    return (starting ?? this.#spawn(code)).whenLoaded();
  }

  stats(): FunctionPoolStats {
    const workers = { starting: 0, idle: 0, busy: 0 };
    for (const s of this.slots) if (s.state !== 'dead') workers[s.state]++;
    return {
      functionId: this.fn.id,
      workers,
      inFlight: this.inFlight,
      queued: this.queue.length,
      started: this.#started,
      retiredIdle: this.#retiredIdle,
      retiredStale: this.#retiredStale,
      coldStarts: this.#coldStarts,
    };
  }
}
