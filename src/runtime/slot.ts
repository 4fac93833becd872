// One worker thread and what it is doing: a small state machine that owns the worker's state, the
// invocation it runs, the ones sent ahead to it, and its three timers (load, invocation, idle).
//
//   starting ──loaded()──▶ idle ──give()──▶ busy ──finish()──▶ idle
//       └─────loaded()──────────────────▶ busy ──finish()──▶ busy   (the next one sent ahead starts)
//   starting, idle, busy ──die()──▶ dead
//
// `starting` may already hold an invocation (a cold start: it waits for the module to load); `busy`
// always holds one; `idle` and `dead` hold none. SLOT_TRANSITIONS lists, per method, the states it may
// be called in and the states it may lead to; anything else throws. That would be a bug of the pool,
// never something a function can cause: the pool checks what a worker says against the state first.

import type { ResolvedFunction } from '../config/types.js';
import type { FunctionConcurrency } from './admission.js';
import type { CodeRef } from './code-types.js';
import type { InitErrorMessage } from './protocol.js';
import type { RingReader, RingWriter } from './ring.js';
import type { InvokeOutcome, InvokeRequest } from './types.js';

/** Lambda's init phase limit; loading the module does not count against the function timeout (docs/cloudfront-reference.md §3.7). */
export const INIT_TIMEOUT_MS = 10_000;

/** What an invocation needs of its function's pool: the function, and its in-flight counter. */
export interface InvocationPool extends FunctionConcurrency {
  readonly fn: ResolvedFunction;
}

export interface Invocation {
  readonly id: number;
  readonly req: InvokeRequest;
  readonly pool: InvocationPool;
  readonly code: CodeRef;
  /** codeKey(code): which workers may run it. */
  readonly key: string;
  readonly awsRequestId: string;
  /** The reservation it was admitted under (admission.ts): what it leaves when it settles. */
  readonly reserved: number | undefined;
  /** The event's JSON, serialized once when the invocation was admitted. */
  readonly event: string;
  readonly resolve: (o: InvokeOutcome) => void;
  /** performance.now() when the handler started (after any cold start); 0 until then. */
  startedAt: number;
  /** The worker it was sent to; undefined while it waits in the pool's queue. */
  slot: Slot | undefined;
  /** The module load this invocation waited for (a cold start). */
  initMs: number | undefined;
}

export type InitResult = { ok: true; slot: Slot } | { ok: false; message: InitErrorMessage };

type SlotState = 'starting' | 'idle' | 'busy' | 'dead';

type SlotEvent = 'give' | 'loaded' | 'finish' | 'die';

/** Every legal transition: per method, from which state to which. */
const SLOT_TRANSITIONS: { readonly [E in SlotEvent]: { readonly [S in SlotState]?: readonly SlotState[] } } = {
  /** A cold worker keeps it until loaded, a busy one behind `current`. */
  give: { starting: ['starting'], idle: ['busy'], busy: ['busy'] },
  loaded: { starting: ['idle', 'busy'] },
  /** busy → busy: the next invocation sent ahead starts. */
  finish: { busy: ['idle', 'busy'] },
  die: { starting: ['dead'], idle: ['dead'], busy: ['dead'] },
};

/** The part of a node:worker_threads Worker a slot uses. */
export interface SlotWorker {
  readonly threadId: number;
  postMessage(message: string): void;
  terminate(): Promise<number>;
}

/** What a slot's timers report to the pool that owns it. */
export interface SlotOwner {
  /** The module did not load within INIT_TIMEOUT_MS (the slot is still `starting`). */
  initTimedOut(slot: Slot): void;
  /** The running invocation reached its timeout. */
  invokeTimedOut(slot: Slot, inv: Invocation): void;
  /** The slot has been idle for the idle timeout since it last went idle. */
  idleExpired(slot: Slot): void;
}

export class Slot {
  #state: SlotState = 'starting';
  #current: Invocation | undefined;
  /**
   * Sent ahead to this worker, not started: it runs them one at a time after `current`. Under load the
   * pool fills workers' backlogs instead of holding invocations itself, so one message carries several.
   */
  readonly #backlog: Invocation[] = [];
  /** Invocations (encodeInvoke) to post at the end of this turn of the event loop, as one message (batch.ts). */
  readonly #outbox: string[] = [];
  #initWaiters: Array<(r: InitResult) => void> = [];
  /** The last invocation this worker finished: Lambda prints console lines of background work with its request id. */
  #lastId = 0;
  #lastRequestId = 'undefined';
  /** Bytes: the worker's heap + off-heap high-water mark, from its last `done` (REPORT's Max Memory Used). */
  mem = 0;
  #initTimer: NodeJS.Timeout | undefined;
  /** Armed (refresh()) each time the worker goes idle; one Timeout object per worker, reused. */
  #idleTimer: NodeJS.Timeout | undefined;
  /**
   * The running invocation's timeout. A worker runs one invocation at a time, so one Timeout per worker,
   * re-armed (refresh()) when the next starts, replaces a setTimeout + clearTimeout per invocation; it may
   * stay armed after its invocation ended and then finds nothing to stop when it fires.
   */
  #timer: NodeJS.Timeout | undefined;
  /** The duration `#timer` was created with: refresh() keeps it. */
  #timerMs = 0;

  constructor(
    readonly owner: SlotOwner,
    readonly worker: SlotWorker,
    /** What the worker sends, in order (ring.ts). */
    readonly ring: RingReader,
    /** The build this worker loads; a worker only ever runs invocations of that exact build. */
    readonly code: CodeRef,
    readonly key: string,
    /** Settles when the thread has exited. */
    readonly exited: Promise<void>,
    /** Invocations go into this ring, one record each, instead of a message per turn (worker-start.ts InvokeChannel). */
    readonly inbox?: RingWriter,
  ) {
    this.#initTimer = setTimeout(Slot.#onInitTimeout, INIT_TIMEOUT_MS, this);
  }

  get state(): SlotState {
    return this.#state;
  }

  /** The invocation running, or (while `starting`) waiting for the module to load. */
  get current(): Invocation | undefined {
    return this.#current;
  }

  /** How many invocations were sent ahead, behind `current`. */
  get backlogLength(): number {
    return this.#backlog.length;
  }

  // ---- transitions ----

  /**
   * Takes an invocation the pool has sent to this worker. Returns true when it starts now (idle → busy);
   * otherwise it waits for the module to load (starting) or behind `current` in the backlog.
   */
  give(inv: Invocation): boolean {
    if (this.#state === 'idle') {
      this.#to('give', 'busy');
      this.#current = inv;
      return true;
    }
    this.#to('give', this.#state);
    if (this.#current === undefined) this.#current = inv;
    else this.#backlog.push(inv);
    return false;
  }

  /** The module has loaded: starting → busy when an invocation waits for it, else → idle. Returns it. */
  loaded(): Invocation | undefined {
    this.#to('loaded', this.#current === undefined ? 'idle' : 'busy');
    clearTimeout(this.#initTimer);
    this.#initTimer = undefined;
    for (const w of this.#initWaiters.splice(0)) w({ ok: true, slot: this });
    return this.#current;
  }

  /**
   * The running invocation has finished: the next one sent ahead becomes `current` (busy → busy; the
   * worker has already started it) or the worker goes idle. Returns the finished one.
   */
  finish(): Invocation {
    const done = this.#current;
    const next = this.#backlog[0];
    this.#to('finish', next === undefined ? 'idle' : 'busy');
    // `busy` always holds one: done is defined.
    const finished = done as Invocation;
    this.#backlog.shift();
    this.#current = next;
    this.#lastId = finished.id;
    this.#lastRequestId = finished.awsRequestId;
    return finished;
  }

  /**
   * The worker is discarded: → dead. Its timers stop, a load waiter gets `initResult`, and the
   * invocations sent ahead but never started come back (detached) for the pool to requeue.
   */
  die(initResult: InitResult): Invocation[] {
    this.#to('die', 'dead');
    this.#current = undefined;
    this.#outbox.length = 0;
    const unstarted = this.#backlog.splice(0);
    for (const inv of unstarted) inv.slot = undefined;
    clearTimeout(this.#initTimer);
    this.#initTimer = undefined;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#initWaiters.splice(0)) w(initResult);
    return unstarted;
  }

  #to(event: SlotEvent, next: SlotState): void {
    const allowed = SLOT_TRANSITIONS[event][this.#state];
    if (allowed === undefined || !allowed.includes(next)) {
      throw new Error(
        `edgeproxy: worker ${this.worker.threadId} of function ${this.code.functionId} (version ${this.code.version}): ${event}() is not allowed when ${this.#state}${allowed === undefined ? '' : ` (→ ${next})`}`,
      );
    }
    this.#state = next;
  }

  // ---- what goes with the states ----

  /** Resolves with this worker's load result: now if it has loaded, else when it does (or dies). */
  whenLoaded(): Promise<InitResult> {
    if (this.#state === 'idle' || this.#state === 'busy') return Promise.resolve({ ok: true, slot: this });
    return new Promise<InitResult>((r) => this.#initWaiters.push(r));
  }

  /**
   * Sends an invocation (protocol.ts: Invoke): into the inbox ring at once, or queued for this turn's
   * batch message; true when it is the batch's first (schedule a flush).
   */
  post(message: string): boolean {
    if (this.inbox !== undefined) {
      this.inbox.write(message);
      return false;
    }
    return this.#outbox.push(message) === 1;
  }

  /** Posts this turn's messages as one (protocol.ts: Invoke). */
  flush(): void {
    const outbox = this.#outbox;
    if (this.#state === 'dead' || outbox.length === 0) return;
    this.worker.postMessage(outbox.length === 1 ? (outbox[0] as string) : outbox.join('\n'));
    outbox.length = 0;
  }

  /** The handler starts now: the timeout runs from here, on this worker's one Timeout (a new one only when the duration changes). */
  startClock(inv: Invocation): void {
    inv.startedAt = performance.now();
    const ms = inv.req.timeoutMs;
    if (this.#timer !== undefined && this.#timerMs === ms) {
      this.#timer.refresh();
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(Slot.#onTimeout, ms, this);
    this.#timerMs = ms;
  }

  /** The worker went idle: the idle timer runs (again) from now. */
  armIdle(ms: number): void {
    if (this.#idleTimer === undefined) {
      this.#idleTimer = setTimeout(Slot.#onIdleTimeout, ms, this);
      this.#idleTimer.unref();
    } else this.#idleTimer.refresh();
  }

  /**
   * The request id a console line belongs to: the invocation the worker was running when it was written
   * (the worker tags each line), the last finished one for background work, `undefined` during init — as
   * Lambda prints them (docs/cloudfront-reference.md §9.5).
   */
  requestIdFor(id: number): string {
    if (id === 0) return 'undefined';
    if (this.#current?.id === id) return this.#current.awsRequestId;
    return id === this.#lastId ? this.#lastRequestId : 'undefined';
  }

  /** Raw stdout/stderr writes carry no invocation id: the running invocation's, else the last one's. */
  rawRequestId(): string {
    const inv = this.#current;
    return inv !== undefined && inv.startedAt !== 0 ? inv.awsRequestId : this.#lastRequestId;
  }

  // ---- timers ----

  static #onTimeout(slot: Slot): void {
    const inv = slot.#current;
    // Armed for an invocation that has ended (the worker is idle, or its successor has not started yet).
    if (inv === undefined || inv.startedAt === 0 || slot.#state === 'dead') return;
    const left = inv.req.timeoutMs - (performance.now() - inv.startedAt);
    // Timers may fire up to a millisecond early by performance.now(): only a real remainder re-arms.
    if (left >= 1) {
      slot.#timer = setTimeout(Slot.#onTimeout, left, slot);
      slot.#timerMs = -1;
      return;
    }
    slot.owner.invokeTimedOut(slot, inv);
  }

  static #onInitTimeout(slot: Slot): void {
    slot.#initTimer = undefined;
    if (slot.#state === 'starting') slot.owner.initTimedOut(slot);
  }

  static #onIdleTimeout(slot: Slot): void {
    if (slot.#state === 'idle') slot.owner.idleExpired(slot);
  }
}
