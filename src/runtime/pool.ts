// The function runtime: every edge function runs in node:worker_threads Workers, never on the proxy's
// event loop (perf-notes: a `while(true)` must not hang the proxy). Per function, workers are created on
// demand up to a maximum, each runs one invocation at a time and stays warm; beyond the maximum,
// invocations wait in FIFO order.

import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResolvedFunction } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  ERROR_TYPES,
  type InitErrorMessage,
  type InvokeMessage,
  type InvokePayload,
  isWorkerToHost,
  type LogLevel,
  type StaticContext,
  timeoutMessage,
  type WorkerInit,
  type WorkerToHost,
} from './protocol.js';
import type { FunctionRuntime, InvokeFailure, InvokeOutcome, InvokeRequest } from './types.js';

/** Lambda's init phase limit; loading the module does not count against the function timeout (spec §3.7). */
export const INIT_TIMEOUT_MS = 10_000;
/** How long close() waits for invocations in flight before terminating their workers. */
export const CLOSE_GRACE_MS = 2_000;

/** Lambda@Edge functions live in us-east-1 and always run a numbered version (spec §3.9). */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
/** Until versions exist (a later issue), every function runs as version 1. */
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
    // A replica's name carries the home region, like its log group (spec §2.4; docs/decisions-runtime.md).
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
function lambdaEnv(fn: ResolvedFunction, ctx: StaticContext): Record<string, string> {
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
    _HANDLER: handlerName(fn),
  };
  for (const keep of ['PATH', 'LANG', 'TZ', 'NODE_OPTIONS']) {
    const v = process.env[keep];
    if (v !== undefined) env[keep] = v;
  }
  return env;
}

/** `<module>.<export>`, Lambda's handler setting, used in its error messages. */
function handlerName(fn: ResolvedFunction): string {
  return `${path.basename(fn.file, path.extname(fn.file))}.${fn.exportName}`;
}

/** The file as the user wrote it in the config: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

// ---------------------------------------------------------------------------------------------------

interface Invocation {
  readonly id: number;
  readonly req: InvokeRequest;
  readonly awsRequestId: string;
  readonly resolve: (o: InvokeOutcome) => void;
  /** performance.now() when the handler started (after any cold start); 0 until then. */
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
}

type InitResult = { ok: true } | { ok: false; message: InitErrorMessage };

type SlotState = 'starting' | 'idle' | 'busy' | 'dead';

interface Slot {
  readonly pool: FunctionPool;
  readonly worker: Worker;
  state: SlotState;
  current: Invocation | undefined;
  /** Request id of the current or last invocation: Lambda prints console lines of background work with it. */
  lastRequestId: string;
  initTimer: NodeJS.Timeout | undefined;
  initWaiters: Array<(r: InitResult) => void>;
  exited: Promise<void>;
}

function failure(reason: InvokeFailure, errorType: string, errorMessage: string, durationMs: number): InvokeOutcome {
  return { ok: false, reason, errorType, errorMessage, durationMs };
}

function elapsed(inv: Invocation): number {
  return inv.startedAt === 0 ? 0 : performance.now() - inv.startedAt;
}

class FunctionPool {
  readonly slots = new Set<Slot>();
  /** Warm workers; the most recently used is reused first so the others can stay cold. */
  readonly idle: Slot[] = [];
  readonly queue: Invocation[] = [];
  readonly fn: ResolvedFunction;
  readonly rt: Runtime;
  private readonly handler: string;

  constructor(rt: Runtime, fn: ResolvedFunction) {
    this.rt = rt;
    this.fn = fn;
    this.handler = handlerName(fn);
  }

  enqueue(inv: Invocation): void {
    const slot = this.idle.pop();
    if (slot !== undefined) this.dispatch(slot, inv);
    else if (this.slots.size < this.rt.maxWorkers) this.dispatch(this.spawn(), inv);
    else this.queue.push(inv);
  }

  /** Gives waiting invocations to free or new workers. */
  pump(): void {
    while (this.queue.length > 0) {
      let slot = this.idle.pop();
      if (slot === undefined) {
        if (this.slots.size >= this.rt.maxWorkers || this.rt.closed) return;
        slot = this.spawn();
      }
      const inv = this.queue.shift();
      if (inv === undefined) return;
      this.dispatch(slot, inv);
    }
  }

  spawn(): Slot {
    const context = staticContext(this.fn);
    const data: WorkerInit = { file: this.fn.file, exportName: this.fn.exportName, handlerName: this.handler, context };
    const worker = new Worker(this.rt.workerScript, {
      workerData: data,
      env: lambdaEnv(this.fn, context),
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.fn.memorySize },
      name: `edgeproxy:${this.fn.id}`,
    });
    let onExit: () => void = () => {};
    const slot: Slot = {
      pool: this,
      worker,
      state: 'starting',
      current: undefined,
      lastRequestId: 'undefined',
      initTimer: undefined,
      initWaiters: [],
      exited: new Promise<void>((r) => (onExit = r)),
    };
    slot.initTimer = setTimeout(onInitTimeout, INIT_TIMEOUT_MS, slot);
    this.slots.add(slot);
    worker.on('message', (m: unknown) => this.onMessage(slot, m));
    worker.on('error', (e: unknown) => this.onError(slot, e));
    worker.on('exit', (code: number) => {
      onExit();
      this.onExit(slot, code);
    });
    // Raw process.stdout/stderr writes (console is captured in the worker) still go through our log.
    worker.stdout.setEncoding('utf8');
    worker.stderr.setEncoding('utf8');
    worker.stdout.on('data', (chunk: string) => this.raw(slot, 'INFO', chunk));
    worker.stderr.on('data', (chunk: string) => this.raw(slot, 'ERROR', chunk));
    return slot;
  }

  dispatch(slot: Slot, inv: Invocation): void {
    inv.slot = slot;
    slot.current = inv;
    slot.lastRequestId = inv.awsRequestId;
    let payload: string;
    try {
      const p: InvokePayload = { event: inv.req.event, awsRequestId: inv.awsRequestId, timeoutMs: inv.req.timeoutMs };
      payload = JSON.stringify(p);
    } catch (e) {
      slot.current = undefined;
      this.release(slot);
      this.rt.settle(inv, failure('error', 'Edgeproxy.EventNotSerializable', `the event could not be serialized: ${String(e)}`, 0));
      return;
    }
    const msg: InvokeMessage = { t: 'invoke', id: inv.id, payload };
    slot.worker.postMessage(msg);
    // A cold worker starts the clock when its module has loaded ('ready'), as Lambda's init phase does not
    // count against the function timeout.
    if (slot.state === 'idle') {
      slot.state = 'busy';
      this.startClock(inv);
    }
  }

  startClock(inv: Invocation): void {
    inv.startedAt = performance.now();
    inv.timer = setTimeout(onInvokeTimeout, inv.req.timeoutMs, inv);
  }

  /** A worker finished an invocation (or its load): reuse it or hand it the next queued invocation. */
  release(slot: Slot): void {
    if (slot.state === 'dead') return;
    slot.state = 'idle';
    const next = this.queue.shift();
    if (next !== undefined) this.dispatch(slot, next);
    else this.idle.push(slot);
  }

  onMessage(slot: Slot, m: unknown): void {
    if (!isWorkerToHost(m) || slot.state === 'dead') return;
    const msg: WorkerToHost = m;
    switch (msg.t) {
      case 'log':
        this.rt.logLine(slot.lastRequestId, msg.level, msg.text);
        return;
      case 'done': {
        const inv = slot.current;
        if (inv === undefined || inv.id !== msg.id) return;
        slot.current = undefined;
        const durationMs = elapsed(inv);
        const outcome: InvokeOutcome = msg.ok ? this.parseResult(msg.result, durationMs) : failure('error', msg.errorType, msg.errorMessage, durationMs);
        this.rt.settle(inv, outcome);
        this.release(slot);
        return;
      }
      case 'ready': {
        clearTimeout(slot.initTimer);
        slot.initTimer = undefined;
        for (const w of slot.initWaiters.splice(0)) w({ ok: true });
        if (slot.current !== undefined) {
          slot.state = 'busy';
          this.startClock(slot.current);
        } else this.release(slot);
        return;
      }
      case 'init-error': {
        const inv = slot.current;
        if (inv !== undefined) this.rt.settle(inv, failure('error', msg.errorType, msg.errorMessage, 0));
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

  parseResult(json: string, durationMs: number): InvokeOutcome {
    try {
      return { ok: true, result: JSON.parse(json) as unknown, durationMs };
    } catch {
      return failure('error', ERROR_TYPES.stringify, 'the worker sent a result that is not JSON', durationMs);
    }
  }

  onError(slot: Slot, e: unknown): void {
    if (slot.state === 'dead') return;
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    const oom = code === 'ERR_WORKER_OUT_OF_MEMORY';
    const errorType = oom ? ERROR_TYPES.outOfMemory : e instanceof Error ? e.name : 'Error';
    const errorMessage = oom
      ? `Runtime exited with error: out of memory (memorySize ${this.fn.memorySize} MB)`
      : e instanceof Error
        ? e.message
        : String(e);
    this.crashed(slot, errorType, errorMessage);
  }

  onExit(slot: Slot, code: number): void {
    if (slot.state === 'dead') return;
    this.crashed(slot, ERROR_TYPES.exit, `Runtime exited with error: exit status ${code}`);
  }

  private crashed(slot: Slot, errorType: string, errorMessage: string): void {
    const inv = slot.current;
    if (inv !== undefined) this.rt.settle(inv, failure('crash', errorType, errorMessage, elapsed(inv)));
    else if (slot.state !== 'starting') this.rt.log.warn(`function ${this.fn.id}: worker died between invocations: ${errorType}: ${errorMessage}`);
    this.kill(slot, initFailure(errorType, errorMessage));
  }

  /** Discards a worker (timeout, crash, failed load, close) and lets the queue move on. */
  kill(slot: Slot, initResult: InitResult): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    slot.current = undefined;
    clearTimeout(slot.initTimer);
    slot.initTimer = undefined;
    this.slots.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    for (const w of slot.initWaiters.splice(0)) w(initResult);
    this.rt.exiting.add(slot.exited);
    void slot.exited.then(() => this.rt.exiting.delete(slot.exited));
    // terminate() stops even `while(true){}` (V8 TerminateExecution); its promise settles on exit.
    slot.worker.terminate().catch(() => {});
    this.pump();
  }

  raw(slot: Slot, level: LogLevel, chunk: string): void {
    for (const line of chunk.split('\n')) if (line !== '') this.rt.logLine(slot.lastRequestId, level, line);
  }

  /** Resolves with the first load result of any worker, starting one when none is loading. */
  async loadOnce(): Promise<InitResult> {
    for (const s of this.slots) if (s.state === 'idle' || s.state === 'busy') return { ok: true };
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.state === 'starting') slot = s;
    if (slot === undefined) {
      slot = this.spawn();
    }
    const s = slot;
    return new Promise<InitResult>((r) => s.initWaiters.push(r));
  }
}

function initFailure(errorType: string, errorMessage: string): InitResult {
  return { ok: false, message: { t: 'init-error', errorType, errorMessage } };
}

function onInvokeTimeout(inv: Invocation): void {
  inv.timer = undefined;
  const slot = inv.slot;
  if (slot === undefined || slot.current !== inv) return;
  const ms = elapsed(inv);
  const rt = slot.pool.rt;
  // Lambda's timeout line (spec §9.5).
  rt.log.info(`${new Date().toISOString()} ${inv.awsRequestId} ${timeoutMessage(ms)}`);
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

class Runtime implements FunctionRuntime {
  readonly log: Logger;
  readonly maxWorkers: number;
  readonly workerScript: string;
  closed = false;
  /** Workers on their way out; close() waits for them so no thread outlives the runtime. */
  readonly exiting = new Set<Promise<void>>();
  private readonly pools = new Map<string, FunctionPool>();
  private seq = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(log: Logger, maxWorkers: number, workerScript: string) {
    this.log = log;
    this.maxWorkers = maxWorkers;
    this.workerScript = workerScript;
  }

  invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) {
      return Promise.resolve(failure('crash', ERROR_TYPES.shutdown, 'edgeproxy is shutting down; the function was not run', 0));
    }
    const pool = this.poolFor(req.fn);
    this.inFlight++;
    return new Promise<InvokeOutcome>((resolve) => {
      const inv: Invocation = { id: ++this.seq, req, awsRequestId: randomUUID(), resolve, startedAt: 0, timer: undefined, slot: undefined };
      pool.enqueue(inv);
    });
  }

  settle(inv: Invocation, outcome: InvokeOutcome): void {
    if (inv.timer !== undefined) {
      clearTimeout(inv.timer);
      inv.timer = undefined;
    }
    inv.resolve(outcome);
    this.inFlight--;
    if (this.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  logLine(requestId: string, level: LogLevel, text: string): void {
    // Lambda's console line (spec §9.5); START/END/REPORT come with a later issue.
    this.log.info(`${new Date().toISOString()}\t${requestId}\t${level}\t${text}`);
  }

  async check(fn: ResolvedFunction): Promise<void> {
    const where = `functions[${fn.id}]: ${displayPath(fn.file)}`;
    let isFile = false;
    try {
      isFile = (await stat(fn.file)).isFile();
    } catch {
      throw new ConfigError(`${where} does not exist`);
    }
    if (!isFile) throw new ConfigError(`${where} is not a file`);
    if (/\.[cm]?ts$/.test(fn.file)) throw new ConfigError(`${where}: TypeScript functions are not supported yet; point to the compiled .js/.mjs/.cjs file`);
    if (this.closed) throw new ConfigError(`${where}: the runtime is closed`);
    const r = await this.poolFor(fn).loadOnce();
    if (r.ok) return;
    throw new ConfigError(await describeLoadFailure(where, fn, r.message));
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
        pool.kill(slot, initFailure(ERROR_TYPES.shutdown, 'the runtime was closed'));
      }
    }
    await Promise.all([...this.exiting]);
  }

  private poolFor(fn: ResolvedFunction): FunctionPool {
    const key = `${fn.id}\0${fn.file}\0${fn.exportName}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new FunctionPool(this, fn);
      this.pools.set(key, pool);
    }
    return pool;
  }
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

export function createRuntime(opts: { log: Logger; maxWorkersPerFunction: number }): FunctionRuntime {
  if (!Number.isInteger(opts.maxWorkersPerFunction) || opts.maxWorkersPerFunction < 1) {
    throw new ConfigError(`runtime.maxWorkersPerFunction: must be an integer ≥ 1, got ${String(opts.maxWorkersPerFunction)}`);
  }
  const script = resolveWorkerScript();
  if (!existsSync(script)) {
    throw new Error(`edgeproxy: the function worker ${script} is missing; build first (npm run build, or npx tsc -p tsconfig.json)`);
  }
  return new Runtime(opts.log, opts.maxWorkersPerFunction, script);
}
