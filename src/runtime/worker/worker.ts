// The entry of a function worker thread: loads one user module and runs its handler, one invocation
// at a time, the way Lambda's Node.js runtime interface client does (docs/cloudfront-reference.md §2.1, §2.4, §9.5).
// Imports nothing from the proxy: node builtins, the thread-boundary modules (../protocol.js,
// ../ring.js, ../edge-protocol.js) and the event rules both sides share (src/event/, via ./edge.js).

import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { EDGE_MARK, unpackEdgeCall } from '../edge-protocol.js';
import {
  allocationLimitBytes,
  encodeDoneOk,
  encodeWorkerMessage,
  ERROR_TYPES,
  decodeInvokes,
  type Invoke,
  isWorkerInit,
  type LogLevel,
  type StaticContext,
  type WorkerToHost,
} from '../protocol.js';
import { RingReader, RingWriter } from '../ring.js';
import { edgeAnswer, edgeEvent, type EdgeEvent } from './edge.js';
import { type ErrorInfo, errorInfo } from './errors.js';
import { type Callback, type Handler, load } from './load.js';

if (parentPort === null) throw new Error('edgeproxy: worker.js must run inside a worker thread');
if (!isWorkerInit(workerData)) throw new Error('edgeproxy: worker.js started without a valid WorkerInit as workerData');
const port = parentPort;
const init = workerData;

// The OS thread's name (Linux: top -H, /proc/<pid>/task/*/comm) says which function runs in it, so a
// profile or `node dist/bench/threads.js` can tell the proxy's main thread from its function workers.
try {
  writeFileSync('/proc/thread-self/comm', `ep:${init.context.functionName}`.slice(0, 15));
} catch {
  // not Linux, or /proc not mounted: the name stays Node's
}

// ---- isolation, installed before user code loads (docs/runtime.md, isolation) ----

// Stack traces of compiled functions (.ts, bundles with inline source maps) point at the user's lines.
// The setting is per thread: the proxy's own stacks are unaffected.
process.setSourceMapsEnabled(true);

// The host's port and the init data are ours: a function that found them could forge outcomes. In
// Lambda the handler runs on a main thread, where both are null.
{
  const wt = createRequire(import.meta.url)('node:worker_threads') as { parentPort: unknown; workerData: unknown };
  wt.parentPort = null;
  wt.workerData = null;
  syncBuiltinESMExports();
}

/** Ends this worker like a crashed Lambda runtime; the host reports `crash` for the invocation in flight. */
function dieWith(signal: string, code: number): never {
  send({ t: 'fatal', errorType: ERROR_TYPES.exit, errorMessage: `Runtime exited with signal: ${signal}` });
  process.exit(code);
}

// process.abort() and a signal to our own pid (or our process group) act on the whole OS process, not
// the thread: they would take the proxy down. Here they end only this worker.
process.abort = () => dieWith('SIGABRT', 134);
{
  const realKill = process.kill.bind(process);
  process.kill = (pid: number, signal?: string | number): true => {
    if (pid === process.pid || pid <= 0) dieWith(typeof signal === 'string' ? signal : signal === undefined ? 'SIGTERM' : `signal ${signal}`, 128);
    return realKill(pid, signal);
  };
}

// ArrayBuffer backing stores live outside the V8 heap, so resourceLimits does not bound them: one
// `new ArrayBuffer(4 GiB)` would succeed and, once touched, take the machine's memory. A single
// allocation larger than the function's memory size fails the way V8 fails one it cannot satisfy.
// (Many allocations that are each below it are not bounded: Node 20 has no per-worker accounting.)
function capAllocations(limit: number): void {
  const check = (count: unknown, perElement: number): void => {
    if (typeof count === 'number' && count * perElement > limit) {
      throw new RangeError(`Array buffer allocation failed: ${count * perElement} bytes exceed the function's memory size (${init.context.memoryLimitInMB} MB)`);
    }
  };
  const g = globalThis as unknown as Record<string, unknown>;
  const ctors = [
    ArrayBuffer, SharedArrayBuffer, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ];
  for (const C of ctors) {
    const per = 'BYTES_PER_ELEMENT' in C ? C.BYTES_PER_ELEMENT : 1;
    g[C.name] = new Proxy(C, {
      construct(target, args: unknown[], newTarget: () => unknown) {
        check(args[0], per);
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
  }
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const orig = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[name] = function capped(size: number, ...rest: unknown[]): Buffer {
      check(size, 1);
      return orig.call(Buffer, size, ...rest);
    };
  }
}
capAllocations(allocationLimitBytes(init.context.memoryLimitInMB));

/** High-water mark of this isolate's heap plus its off-heap buffers, for REPORT's Max Memory Used. */
let memHigh = 0;
function memoryHighWater(): number {
  if (!init.reportMemory) return 0;
  const h = getHeapStatistics();
  const now = h.total_heap_size + h.external_memory;
  if (now > memHigh) memHigh = now;
  return memHigh;
}


// Everything goes through the ring, in order (ring.ts); the host hears of it by one wake message per look.
const ring = new RingWriter(init.ring, (m) => port.postMessage(m));

function send(m: WorkerToHost): void {
  ring.write(encodeWorkerMessage(m));
}

// ---- console capture (docs/cloudfront-reference.md §9.5): every line goes to the host, which prints it with the request id ----

/** The invocation the next console line belongs to; stays at the last one between invocations, as Lambda does. */
let currentId = 0;

function logger(level: LogLevel): (...args: unknown[]) => void {
  return (...args) => send({ t: 'log', id: currentId, level, text: format(...args) });
}
console.log = logger('INFO');
console.info = logger('INFO');
console.warn = logger('WARN');
console.error = logger('ERROR');
console.debug = logger('DEBUG');
// Lambda's trace level prints the message only, not a stack (LogPatch.js).
console.trace = logger('TRACE');

function logInvokeError(info: ErrorInfo): void {
  const stack = info.stack === undefined ? [] : info.stack.split('\n');
  console.error('Invoke Error', `\t${JSON.stringify({ errorType: info.errorType, errorMessage: info.errorMessage, stack })}`);
}

// Background failures end the worker like Lambda ends its runtime process (Runtime.js _setErrorCallbacks:
// exit 129 / 128); the host turns that into a crash outcome for the invocation in flight, if any.
process.on('uncaughtException', (err) => {
  const info = errorInfo(err);
  console.error('Uncaught Exception', `\t${JSON.stringify({ errorType: info.errorType, errorMessage: info.errorMessage })}`);
  send({ t: 'fatal', errorType: info.errorType, errorMessage: info.errorMessage });
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  const inner = errorInfo(reason);
  const errorMessage = `${inner.errorType}: ${inner.errorMessage}`;
  console.error('Unhandled Promise Rejection', `\t${JSON.stringify({ errorType: ERROR_TYPES.unhandledRejection, errorMessage })}`);
  send({ t: 'fatal', errorType: ERROR_TYPES.unhandledRejection, errorMessage });
  process.exit(128);
});

// ---- event-loop drain detection (docs/cloudfront-reference.md §2.1) ----
// Lambda answers `null` when the event loop empties before the handler delivered a result (Runtime.js
// _setDefaultExitListener, on `beforeExit`). A worker's loop never empties (its MessagePort keeps it
// alive), so compare the active resources with the idle baseline instead: our MessagePort is ignored and
// our polling timer is never active while the check runs (the check runs in an Immediate).
// process.getActiveResourcesInfo() does not show thread-pool jobs (WebCrypto, async zlib) or the first
// moments of a lazily loaded fetch(), so "idle" must hold for DRAIN_CONFIRM_MS before we believe it, and
// it is only used for handlers that returned a non-thenable (see docs/decisions.md).

const IGNORED_RESOURCES = new Set(['MessagePort']);
let baseline = new Map<string, number>();

function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) {
    if (!IGNORED_RESOURCES.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}

function loopIsIdle(): boolean {
  for (const [name, n] of resourceCounts()) if (n > (baseline.get(name) ?? 0)) return false;
  return true;
}

const DRAIN_CONFIRM_MS = 20;
const DRAIN_CONFIRM_STEP_MS = 2;
const DRAIN_POLL_MAX_MS = 50;

// ---- one invocation ----

class Invocation {
  settled = false;
  readonly id: number;
  /** A Lambda@Edge invocation: its result is validated here and answered in short (edge.ts). */
  edge: EdgeEvent | undefined;
  constructor(id: number) {
    this.id = id;
  }

  finish(err: unknown, result: unknown): void {
    if (this.settled) return; // first completion wins (CallbackContext.js onlyAllowFirstCall)
    this.settled = true;
    settled();
    if (err !== undefined && err !== null) {
      const info = errorInfo(err);
      logInvokeError(info);
      send({ t: 'done', id: this.id, ok: false, mem: memoryHighWater(), ...info });
      return;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      const why = errorInfo(e).errorMessage;
      const info: ErrorInfo = { errorType: ERROR_TYPES.stringify, errorMessage: `Unable to stringify response body: ${why}` };
      logInvokeError(info);
      send({ t: 'done', id: this.id, ok: false, mem: memoryHighWater(), ...info });
      return;
    }
    // JSON.stringify(function/symbol) is undefined: nothing serialisable came back.
    const out = json ?? 'null';
    ring.write(encodeDoneOk(this.id, memoryHighWater(), this.edge === undefined ? out : edgeAnswer(this.edge, out)));
  }

  /** Waits until the loop holds nothing beyond the baseline for DRAIN_CONFIRM_MS, then answers null. */
  watchDrain(): void {
    let idleSince: number | undefined;
    let backoff = 1;
    const check = (): void => {
      if (this.settled) return;
      if (loopIsIdle()) {
        const now = performance.now();
        idleSince ??= now;
        if (now - idleSince >= DRAIN_CONFIRM_MS) {
          this.finish(null, null);
          return;
        }
        schedule(DRAIN_CONFIRM_STEP_MS);
        return;
      }
      idleSince = undefined;
      backoff = Math.min(DRAIN_POLL_MAX_MS, backoff * 2);
      schedule(backoff);
    };
    // From a timer, hop through an Immediate so the polling timer itself is no longer active.
    const schedule = (ms: number): void => void setTimeout(setImmediate, ms, check);
    setImmediate(check);
  }
}

function makeContext(inv: Invocation, s: StaticContext, awsRequestId: string, timeoutMs: number): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  let waits = true;
  return {
    functionName: s.functionName,
    functionVersion: s.functionVersion,
    invokedFunctionArn: s.invokedFunctionArn,
    memoryLimitInMB: s.memoryLimitInMB,
    awsRequestId,
    logGroupName: s.logGroupName,
    logStreamName: s.logStreamName,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Settable like Lambda's; the emulator answers on callback at once either way (docs/decisions.md).
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(v: boolean) {
      waits = Boolean(v);
    },
    // Legacy completion methods Lambda still provides (CallbackContext.js).
    succeed: (result: unknown) => inv.finish(null, result),
    fail: (err: unknown) => inv.finish(err === undefined || err === null ? 'handled' : err, null),
    done: (err: unknown, result: unknown) => inv.finish(err, result),
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function run(handler: Handler, msg: Invoke): void {
  currentId = msg.id;
  const inv = new Invocation(msg.id);
  let event: unknown;
  try {
    if (msg.event.startsWith(EDGE_MARK)) {
      const call = unpackEdgeCall(msg.event);
      if (call === undefined) throw new Error('not a Lambda@Edge invocation the runtime understands');
      inv.edge = edgeEvent(call);
      event = inv.edge.event;
    } else event = JSON.parse(msg.event);
  } catch (e) {
    inv.finish(new Error(`edgeproxy: invocation event is not JSON: ${errorInfo(e).errorMessage}`), null);
    return;
  }
  const context = makeContext(inv, init.context, msg.awsRequestId, msg.timeoutMs);
  const callback: Callback = (err, result) => inv.finish(err, result);
  try {
    const ret = handler(event, context, callback);
    if (isThenable(ret)) {
      ret.then(
        (r) => inv.finish(null, r),
        // Runtime.js: a rejection with no reason becomes the string "handled".
        (e: unknown) => inv.finish(e === undefined || e === null ? 'handled' : e, null),
      );
      return;
    }
  } catch (e) {
    // Runtime.js passes a synchronous throw to callback(err) as is.
    callback(e);
  }
  if (!inv.settled) inv.watchDrain();
}

let handler: Handler | undefined;
let loadFailed = false;
/** Invocations that arrived before the module finished loading. */
const early: Invoke[] = [];

// One invocation at a time (as one Lambda instance): the host may send the next ones ahead, in a
// batch; they wait here, in order, until the running one settles.
const waiting: Invoke[] = [];
let running = false;

function runNext(): void {
  const h = handler;
  const next = waiting.shift();
  if (h === undefined || next === undefined) {
    running = false;
    if (parkMs > 0 && !parkScheduled && h !== undefined) {
      parkScheduled = true;
      setImmediate(parkWhileIdle);
    }
    return;
  }
  running = true;
  run(h, next);
}

const settledTick = Promise.resolve();

/** Called by Invocation.finish: the worker is free for the next waiting invocation. */
function settled(): void {
  // A microtask, so a handler that completes synchronously does not recurse. Not queueMicrotask():
  // Node wraps each of those in an AsyncResource, ~5 % of a worker's time per invocation in the profile.
  void settledTick.then(runNext);
}

function accept(m: Invoke): void {
  waiting.push(m);
  if (!running) runNext();
}

function take(items: Invoke[] | undefined): void {
  if (items === undefined) return;
  if (handler !== undefined) for (const m of items) accept(m);
  else if (!loadFailed) early.push(...items);
}

// ---- invocations in: messages, or the inbox ring (worker-start.ts InvokeChannel) ----

const inbox = init.inbox === undefined ? undefined : new RingReader(init.inbox);
const parkMs = inbox === undefined ? 0 : (init.parkMs ?? 0);
let parkScheduled = false;

function readInbox(): void {
  if (inbox === undefined) return;
  for (let t = inbox.next(); t !== undefined; t = inbox.next()) take(decodeInvokes(t));
}

/**
 * Nothing to run: wait in Atomics.wait for the proxy's next record, up to parkMs, instead of going
 * back to sleep in the event loop, so the proxy notifies instead of posting a wake message. Runs from
 * an Immediate, once the loop has had its turn; background work of the function waits at most parkMs.
 */
function parkWhileIdle(): void {
  parkScheduled = false;
  if (inbox === undefined || running || waiting.length > 0) return;
  inbox.park(parkMs);
  readInbox();
}

port.on('message', (raw: unknown) => {
  if (typeof raw === 'string') take(decodeInvokes(raw));
  else if (inbox !== undefined) {
    inbox.received(raw);
    readInbox();
  }
});

// Take the baseline once the port listener exists and before user code runs, so the module's own
// top-level timers and sockets count as pending work.
setImmediate(() => {
  baseline = resourceCounts();
  void load(init, send).then((h) => {
    if (h === undefined) {
      loadFailed = true;
      return;
    }
    handler = h;
    for (const m of early.splice(0)) accept(m);
  });
});
