// CloudFront Functions on the host side of the thread boundary: each function's checked code, its
// worker threads (worker/cff/worker.ts, one run at a time each), its key value store, and hot reload
// of both. CloudFront Functions get their own small pool rather than Lambda's (pool.ts): none of
// Lambda's concurrency limits, execution-environment identity, memory sizes, versions or START/END/
// REPORT lines apply to them (docs/decisions.md, CloudFront Functions).
//
// A run that never ends (a loop) is stopped by ending its worker after cff.runTimeout: it costs its
// own request and that worker only; the next run gets a fresh worker.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { checkCff, formatFinding } from '../cff/check.js';
import { KeyValueStore, KvsFileError, parseKvsData } from '../cff/kvs.js';
import { ConfigError } from '../config/errors.js';
import type { ResolvedConfig, ResolvedFunction } from '../config/types.js';
import type { Logger } from '../log.js';
import type { CffMetrics } from '../observe/metrics.js';
import { ComputeMeter } from '../cff/compute.js';
import { encodeCffEvent, isCffEnvelope, type CffEnvelope, type CffRunPrefix, type CffWorkerInit, type KvsUpdateMessage } from './cff-protocol.js';
import { watchFiles, type FileWatcher } from './code/watch.js';
import { decodeWorkerMessage, encodeInvoke } from './protocol.js';
import { createRingBuffer, RingReader } from './ring.js';

interface CffInvokeRequest extends CffRunPrefix {
  fn: ResolvedFunction;
  /** JSON of the CloudFront Functions event. */
  eventJson: string;
  requestId: string;
}

type CffInvokeOutcome =
  | { ok: true; envelope: CffEnvelope }
  /** The run did not finish: it ran past cff.runTimeout, or its worker died or could not load the code. */
  | { ok: false; reason: 'timeout' | 'crash' | 'load'; errorType: string; errorMessage: string };

/** Where the CloudFront Functions worker entry is (built JavaScript, as for Lambda's worker). */
export function cffWorkerScript(moduleUrl: string = import.meta.url): string {
  if (moduleUrl.endsWith('.ts')) return path.join(fileURLToPath(new URL('../../', moduleUrl)), 'dist', 'src', 'runtime', 'worker', 'cff', 'worker.js');
  return fileURLToPath(new URL('./worker/cff/worker.js', moduleUrl));
}

/** The code as the workers get it: checked, imports rewritten. */
interface CheckedCode {
  script: string;
  generation: number;
}

interface Pending {
  req: CffInvokeRequest;
  resolve: (o: CffInvokeOutcome) => void;
}

interface InFlight {
  id: number;
  p: Pending;
}

interface Slot {
  worker: Worker;
  ring: RingReader;
  generation: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  /** Sent to the worker, in order; the worker runs them one at a time, the head first. */
  inFlight: InFlight[];
  /** Invocation strings not yet posted: everything dispatched in one turn goes as one message. */
  outbox: string[];
  /** The run timeout of the head of `inFlight`. */
  timer: NodeJS.Timeout | undefined;
  /** Told how the load ended (undefined: loaded) — the start-up probe waits on it. */
  onLoad: ((error: string | undefined) => void) | undefined;
}

/**
 * Runs sent ahead to one worker: while it runs one, the next ones wait in its message queue, so it
 * never idles between runs (a host → worker hop costs more than a small run). Bounded, so a loop holds few.
 */
const PIPELINE_DEPTH = 8;

/** Reads and checks a function's file: the script, or the findings that refuse it (one line each). */
async function loadCffCode(fn: ResolvedFunction, strict: boolean): Promise<{ script: string; warnings: string[] } | { errors: string[] }> {
  const rel = path.relative(process.cwd(), fn.file) || fn.file;
  let source: string;
  try {
    source = await readFile(fn.file, 'utf8');
  } catch (e) {
    return { errors: [`${rel}: cannot read the function: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const runtime = fn.cff?.runtime ?? 'cloudfront-js-2.0';
  const r = checkCff(source, runtime, { strict });
  const lines = r.findings.map((f) => formatFinding(rel, f));
  if (!r.ok || r.script === undefined) return { errors: lines.filter((l) => l.includes(': error [')) };
  return { script: r.script, warnings: lines };
}

class CffFunction {
  readonly slots = new Set<Slot>();
  readonly queue: Pending[] = [];
  code: CheckedCode;
  watcher: FileWatcher | undefined;
  nextId = 1;

  constructor(
    readonly host: CffHost,
    readonly fn: ResolvedFunction,
    script: string,
  ) {
    this.code = { script, generation: 1 };
  }

  get label(): string {
    return path.relative(process.cwd(), this.fn.file) || this.fn.file;
  }

  invoke(req: CffInvokeRequest): Promise<CffInvokeOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      this.pump();
    });
  }

  pump(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      let live = 0;
      let starting = false;
      for (const s of this.slots) {
        if (s.state === 'dead' || s.generation !== this.code.generation) continue;
        live++;
        if (s.state === 'starting') {
          starting = true;
          continue;
        }
        if (s.inFlight.length >= PIPELINE_DEPTH) continue;
        if (best === undefined || s.inFlight.length < best.inFlight.length) best = s;
      }
      // A fresh worker rather than a deeper backlog, while there is room for one (one start at a time).
      if ((best === undefined || best.inFlight.length > 0) && live < this.host.maxWorkers && !starting) {
        this.spawn();
        if (best === undefined) return;
      }
      if (best === undefined) return;
      const p = this.queue.shift() as Pending;
      this.dispatch(best, p);
    }
  }

  spawn(): Slot {
    const ring = createRingBuffer();
    const cff: CffWorkerInit = { runtime: this.fn.cff?.runtime ?? 'cloudfront-js-2.0', script: this.code.script, edgeLocation: this.host.config.cff.edgeLocation };
    const store = this.host.storeFor(this.fn);
    if (store !== undefined) cff.kvs = store.snapshot();
    // The WorkerInit fields the shared protocol expects, plus `cff`; Lambda's context is not used.
    const worker = new Worker(this.host.script, {
      workerData: { file: this.fn.file, exportName: 'handler', handlerName: 'handler', context: {}, ring, reportMemory: false, cff },
      stdout: true,
      stderr: true,
      // CloudFront Functions have 2 MB; a worker gets a small heap of its own (not enforced to the byte).
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
      name: `edgeproxy:cff:${this.fn.id}`,
    });
    const slot: Slot = { worker, ring: new RingReader(ring), generation: this.code.generation, state: 'starting', inFlight: [], outbox: [], timer: undefined, onLoad: undefined };
    this.slots.add(slot);
    worker.on('message', (m: unknown) => {
      slot.ring.received(m);
      this.drain(slot);
    });
    worker.on('error', (e: unknown) => this.died(slot, e instanceof Error ? e.name : 'Error', e instanceof Error ? e.message : String(e)));
    worker.on('exit', (code: number) => this.died(slot, 'ExitError', `the worker exited (status ${code})`));
    worker.stdout.on('data', () => {});
    worker.stderr.on('data', () => {});
    return slot;
  }

  dispatch(slot: Slot, p: Pending): void {
    const id = this.nextId++;
    slot.state = 'busy';
    slot.inFlight.push({ id, p });
    if (slot.inFlight.length === 1) this.startTimer(slot);
    const r = p.req;
    if (slot.outbox.push(encodeInvoke(id, this.host.config.cff.runTimeoutMs, r.requestId, encodeCffEvent(r, r.eventJson))) === 1) {
      setImmediate(() => this.flush(slot));
    }
  }

  flush(slot: Slot): void {
    if (slot.state === 'dead' || slot.outbox.length === 0) return;
    slot.worker.postMessage(slot.outbox.join('\n'));
    slot.outbox.length = 0;
  }

  startTimer(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.timedOut(slot), this.host.config.cff.runTimeoutMs);
  }

  drain(slot: Slot): void {
    for (let text = slot.ring.next(); text !== undefined; text = slot.ring.next()) {
      const msg = decodeWorkerMessage(text);
      if (msg === undefined || slot.state === 'dead') continue;
      if (msg.t === 'ready') {
        slot.state = slot.inFlight.length > 0 ? 'busy' : 'idle';
        slot.onLoad?.(undefined);
        slot.onLoad = undefined;
        this.pump();
      } else if (msg.t === 'init-error') {
        // The code passed the check but its top level threw (or cf.kvs() found no store): every
        // waiting run fails; the next run tries a fresh worker (the file may have been fixed).
        const where = msg.location === undefined ? '' : ` (${msg.location})`;
        const text = `loading failed: ${msg.errorType}: ${msg.errorMessage}${where}`;
        if (slot.onLoad !== undefined) slot.onLoad(text);
        else this.host.log.error(`edgeproxy: CloudFront Function ${this.label}: ${text}`);
        slot.onLoad = undefined;
        const failed = { ok: false, reason: 'load', errorType: msg.errorType, errorMessage: `${msg.errorMessage}${where}` } as const;
        for (const f of slot.inFlight.splice(0)) f.p.resolve(failed);
        this.kill(slot);
        for (const p of this.queue.splice(0)) p.resolve(failed);
      } else if (msg.t === 'done') {
        const head = slot.inFlight[0];
        if (head === undefined || head.id !== msg.id) continue;
        slot.inFlight.shift();
        let outcome: CffInvokeOutcome;
        if (msg.ok) {
          const env: unknown = JSON.parse(msg.result);
          outcome = isCffEnvelope(env) ? { ok: true, envelope: env } : { ok: false, reason: 'crash', errorType: 'Edgeproxy.BadEnvelope', errorMessage: 'the worker answered with no run outcome' };
        } else outcome = { ok: false, reason: 'crash', errorType: msg.errorType, errorMessage: msg.errorMessage };
        head.p.resolve(outcome);
        if (slot.inFlight.length > 0) this.startTimer(slot);
        else {
          clearTimeout(slot.timer);
          slot.timer = undefined;
          if (slot.generation !== this.code.generation) this.kill(slot);
          else slot.state = 'idle';
        }
      }
    }
    this.pump();
  }

  timedOut(slot: Slot): void {
    const head = slot.inFlight.shift();
    if (head === undefined) return;
    head.p.resolve({ ok: false, reason: 'timeout', errorType: 'Edgeproxy.RunTimeout', errorMessage: `the run did not end within ${this.host.config.cff.runTimeoutMs} ms (cff.runTimeout); its worker was ended` });
    // The runs sent behind it never started: back to the front of the queue, for another worker.
    this.queue.unshift(...slot.inFlight.splice(0).map((f) => f.p));
    this.kill(slot);
    this.pump();
  }

  died(slot: Slot, errorType: string, errorMessage: string): void {
    if (slot.state === 'dead') return;
    this.drain(slot);
    // drain() may have ended it (an init-error came first).
    if ((slot.state as Slot['state']) === 'dead') return;
    slot.onLoad?.(`the worker died while loading: ${errorType}: ${errorMessage}`);
    slot.onLoad = undefined;
    const head = slot.inFlight.shift();
    const rest = slot.inFlight.splice(0);
    this.kill(slot);
    head?.p.resolve({ ok: false, reason: 'crash', errorType, errorMessage: `the function's worker died: ${errorMessage}` });
    this.queue.unshift(...rest.map((f) => f.p));
    this.pump();
  }

  kill(slot: Slot): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    clearTimeout(slot.timer);
    slot.timer = undefined;
    this.slots.delete(slot);
    void slot.worker.terminate();
  }

  /** Starts a worker and waits for its load: undefined when it loaded (it stays, warm). */
  probe(): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.spawn().onLoad = resolve;
    });
  }

  /** New code: later runs go to workers of the new generation; idle old ones end now. */
  replaceCode(script: string): void {
    this.code = { script, generation: this.code.generation + 1 };
    for (const s of [...this.slots]) if (s.state === 'idle' || s.state === 'starting') this.kill(s);
  }

  broadcastKvs(m: KvsUpdateMessage): void {
    for (const s of this.slots) if (s.state !== 'dead') s.worker.postMessage(m);
  }

  async close(): Promise<void> {
    this.watcher?.close();
    const shutdown = { ok: false, reason: 'crash', errorType: 'Edgeproxy.Shutdown', errorMessage: 'edgeproxy is shutting down' } as const;
    for (const p of this.queue.splice(0)) p.resolve(shutdown);
    await Promise.all(
      [...this.slots].map((s) => {
        s.state = 'dead';
        clearTimeout(s.timer);
        for (const f of s.inFlight.splice(0)) f.p.resolve(shutdown);
        return s.worker.terminate();
      }),
    );
    this.slots.clear();
  }

}

interface CffHostOptions {
  config: ResolvedConfig;
  log: Logger;
  /** Reload functions and key value stores when their files change. */
  watch?: boolean;
  debounceMs?: number;
  /** The clock for KVS metadata (tests). */
  now?: () => Date;
  metrics?: CffMetrics;
}

export class CffHost {
  readonly config: ResolvedConfig;
  readonly log: Logger;
  readonly script: string;
  readonly maxWorkers: number;
  readonly #functions = new Map<string, CffFunction>();
  readonly #stores = new Map<string, KeyValueStore>();
  readonly #storeWatchers: FileWatcher[] = [];
  readonly #now: () => Date;
  readonly #meters = new Map<string, ComputeMeter>();
  /** Per function: why its last save did not load (the previous code keeps running). */
  readonly #reloadProblems = new Map<string, string>();
  readonly metrics: CffMetrics | undefined;

  private constructor(opts: CffHostOptions) {
    this.metrics = opts.metrics;
    this.config = opts.config;
    this.log = opts.log;
    this.script = cffWorkerScript();
    this.maxWorkers = opts.config.runtime.maxWorkersPerFunction;
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Checks every CloudFront Function the config associates and loads every key value store, before
   * listening. Throws ConfigError (FunctionLoadError) with one line per finding that refuses code.
   */
  static async start(opts: CffHostOptions): Promise<CffHost> {
    const host = new CffHost(opts);
    const fns = [...opts.config.functions.values()].filter((f) => f.cff !== undefined);
    if (fns.length === 0) return host;
    if (!existsSync(host.script)) throw new Error(`edgeproxy: the CloudFront Functions worker ${host.script} is missing; build first (npm run build)`);
    for (const s of opts.config.keyValueStores.values()) {
      // Checked by the config loader already; read again for the store's contents.
      const data = parseKvsData(await readFile(s.file, 'utf8'));
      host.#stores.set(s.name, new KeyValueStore(s.name, s.id, data, host.#now()));
    }
    const errors: string[] = [];
    for (const fn of fns) {
      const r = await loadCffCode(fn, opts.config.cff.strict);
      if ('errors' in r) {
        errors.push(...r.errors);
        continue;
      }
      for (const w of r.warnings) opts.log.warn(`edgeproxy: ${w}`);
      host.#functions.set(fn.id, new CffFunction(host, fn, r.script));
      host.#meters.set(fn.id, new ComputeMeter(opts.config.cff.compute));
    }
    if (errors.length > 0) {
      await host.close();
      throw new ConfigError('FunctionLoadError', errors.join('\n'));
    }
    // Loading in a worker once at start: a top-level throw (or cf.kvs() without a store) is a start-up error too.
    const loadErrors: string[] = [];
    await Promise.all([...host.#functions.values()].map(async (f) => {
      const e = await f.probe();
      if (e !== undefined) loadErrors.push(`${f.label}: ${e}`);
    }));
    if (loadErrors.length > 0) {
      await host.close();
      throw new ConfigError('FunctionLoadError', loadErrors.join('\n'));
    }
    if (opts.watch === true) host.#watch(opts.debounceMs ?? 100);
    return host;
  }

  #watch(debounceMs: number): void {
    for (const f of this.#functions.values()) {
      f.watcher = watchFiles(() => void this.#reloadFunction(f), { debounceMs, maxFiles: 1, log: this.log, label: `CloudFront Function "${f.fn.id}"` });
      f.watcher.set([f.fn.file]);
    }
    for (const s of this.config.keyValueStores.values()) {
      const w = watchFiles(() => void this.#reloadStore(s.name, s.file), { debounceMs, maxFiles: 1, log: this.log, label: `key value store "${s.name}"` });
      w.set([s.file]);
      this.#storeWatchers.push(w);
    }
  }

  /** Why a function serves older code than its file (its last save did not load), or undefined. */
  reloadProblem(functionId: string): string | undefined {
    return this.#reloadProblems.get(functionId);
  }

  async #reloadFunction(f: CffFunction): Promise<void> {
    const r = await loadCffCode(f.fn, this.config.cff.strict);
    if ('errors' in r) {
      // As for Lambda's $LATEST: the last good code keeps serving until the file is fixed.
      this.#reloadProblems.set(f.fn.id, r.errors.join('; '));
      this.log.error(`edgeproxy: CloudFront Function ${f.label} not reloaded; the previous code keeps running:\n${r.errors.join('\n')}`);
      return;
    }
    for (const w of r.warnings) this.log.warn(`edgeproxy: ${w}`);
    f.replaceCode(r.script);
    this.#reloadProblems.delete(f.fn.id);
    this.log.info(`edgeproxy: CloudFront Function ${f.label} reloaded`);
  }

  async #reloadStore(name: string, file: string): Promise<void> {
    const store = this.#stores.get(name);
    if (store === undefined) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
      store.replace(parseKvsData(text), this.#now());
    } catch (e) {
      const why = e instanceof KvsFileError || e instanceof Error ? e.message : String(e);
      this.log.error(`edgeproxy: key value store "${name}" not reloaded (${file}): ${why}; the previous contents stay`);
      return;
    }
    this.storeChanged(name);
    this.log.info(`edgeproxy: key value store "${name}" reloaded (${store.size} keys)`);
  }

  /** Sends a store's new contents to every worker of the functions that read it. */
  storeChanged(name: string): void {
    const store = this.#stores.get(name);
    if (store === undefined) return;
    const m: KvsUpdateMessage = { t: 'kvs', kvs: store.snapshot() };
    for (const f of this.#functions.values()) if (f.fn.cff?.keyValueStore === name) f.broadcastKvs(m);
  }

  storeFor(fn: ResolvedFunction): KeyValueStore | undefined {
    const name = fn.cff?.keyValueStore;
    return name === undefined ? undefined : this.#stores.get(name);
  }

  /** The live stores, for the admin listener. */
  stores(): ReadonlyMap<string, KeyValueStore> {
    return this.#stores;
  }

  /** The function's compute meter (utilization, throttle state). */
  meter(functionId: string): ComputeMeter | undefined {
    return this.#meters.get(functionId);
  }

  has(functionId: string): boolean {
    return this.#functions.has(functionId);
  }

  /** Never rejects: every failure is an outcome. */
  invoke(req: CffInvokeRequest): Promise<CffInvokeOutcome> {
    const f = this.#functions.get(req.fn.id);
    if (f === undefined) return Promise.resolve({ ok: false, reason: 'load', errorType: 'Edgeproxy.NotLoaded', errorMessage: `CloudFront Function ${req.fn.id} is not loaded` });
    return f.invoke(req);
  }

  async close(): Promise<void> {
    for (const w of this.#storeWatchers.splice(0)) w.close();
    await Promise.all([...this.#functions.values()].map((f) => f.close()));
  }
}
