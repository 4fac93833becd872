// One CloudFront Function in its own vm context, inside a function worker thread (docs/runtime.md):
// what the function sees is only what prelude.ts installs. The context refuses code generation from
// strings, so eval() and the Function constructor throw EvalError ("Dynamic code evaluation" on the
// runtime pages); its microtasks run after each evaluation, so an async handler (2.0) settles before
// run() returns — the function has no timers, network or other way to wait for the outside.
// Imports nothing from the proxy: node builtins, the prelude and cff-protocol only.

import { createHash, createHmac } from 'node:crypto';
import { escape as qsEscape, parse as qsParse, stringify as qsStringify, unescape as qsUnescape } from 'node:querystring';
import vm from 'node:vm';
import { LOG_LIMIT_BYTES, type CffRuntime } from '../../cff-protocol.js';
import { IMPORT_GLOBAL, prelude, RUN_GLOBAL, type PreludeExports, type PreludeHost } from './prelude.js';

/** The store a function reads with cf.kvs(): plain data, replaced whole when the data file changes. */
export interface KvsView {
  id: string;
  entries: ReadonlyMap<string, string>;
  /** ISO-8601, as kvs.meta() gives them. */
  creationDateTime: string;
  lastUpdatedDateTime: string;
}

interface EdgeLocation {
  name: string;
  serverIp: string;
  region: string;
}

interface SandboxOptions {
  runtime: CffRuntime;
  /** The code as check.ts's `script` (imports rewritten); line numbers are the file's. */
  script: string;
  /** Shown in stack traces. */
  filename: string;
  kvs?: KvsView;
  edgeLocation?: EdgeLocation;
}

interface RunInput {
  eventType: 'viewer-request' | 'viewer-response';
  /** JSON of the CloudFront Functions event (docs/cloudfront-reference.md §24). */
  eventJson: string;
  /** The request's raw query string for request.rawQueryString() (2.0): undefined when the URL has no `?`. */
  rawQuery: string | undefined;
  /** What Date.now() returns for the whole run (the run's start, or a test's injected clock). */
  nowMs: number;
}

interface OriginCall {
  helper: 'updateRequestOrigin' | 'selectRequestOriginById' | 'createRequestOriginGroup';
  /** The call's arguments as JSON (null when they could not be serialized). */
  args: unknown;
}

interface RunFacts {
  /** Time the handler ran, ms (the worker thread runs nothing else meanwhile). */
  runMs: number;
  logs: string[];
  logsTruncated: boolean;
  originCalls: OriginCall[];
  kvsReads: number;
}

type RunOutput =
  | ({ ok: true; resultJson: string } & RunFacts)
  | ({ ok: false; errorType: string; errorMessage: string; stack: string } & RunFacts);

export class CffLoadError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly stack_: string,
  ) {
    super(message);
    this.name = 'CffLoadError';
  }
}

/** Bytes of a host-side view over a context Uint8Array. */
function bytes(u8: Uint8Array, start = 0, end = u8.byteLength): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset + start, end - start);
}

type Enc = BufferEncoding;

interface RunState {
  now: number;
  logs: string[];
  logBytes: number;
  logsTruncated: boolean;
  originCalls: OriginCall[];
  kvsReads: number;
  eventType: RunInput['eventType'];
}

const ORIGIN_HELPERS = new Set(['updateRequestOrigin', 'selectRequestOriginById', 'createRequestOriginGroup']);

// Compiled once per thread, evaluated in every new context.
let preludeScript: vm.Script | undefined;
const RUN = new vm.Script(`globalThis.${RUN_GLOBAL}()`, { filename: 'edgeproxy:cff-run' });

export class CffSandbox {
  readonly #runtime: CffRuntime;
  readonly #ctx: vm.Context;
  readonly #exports: PreludeExports;
  readonly #state: RunState;
  #kvs: KvsView | undefined;
  readonly #edge: EdgeLocation | undefined;

  /** Loads the code: throws CffLoadError when it does not compile or its top level throws. */
  constructor(opts: SandboxOptions) {
    this.#runtime = opts.runtime;
    this.#kvs = opts.kvs;
    this.#edge = opts.edgeLocation;
    const state: RunState = { now: Date.now(), logs: [], logBytes: 0, logsTruncated: false, originCalls: [], kvsReads: 0, eventType: 'viewer-request' };
    this.#state = state;
    this.#ctx = vm.createContext({}, { name: opts.filename, codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
    preludeScript ??= new vm.Script(`(${prelude.toString()})`, { filename: 'edgeproxy:cff-prelude' });
    const install = preludeScript.runInContext(this.#ctx) as (h: PreludeHost) => PreludeExports;
    this.#exports = install(this.#host(state));

    // The top-level code runs once per context (docs/decisions.md), in strict mode always ("Strict
    // mode" on the runtime pages). The wrapper shares line 1 with the code, so line numbers stay the file's.
    const head = `(function (${IMPORT_GLOBAL}) { "use strict"; `;
    const wrapped = `${head}${opts.script}\n;return typeof handler === "function" ? handler : undefined; })(globalThis.${IMPORT_GLOBAL})`;
    let handler: unknown;
    try {
      const script = new vm.Script(wrapped, { filename: opts.filename, columnOffset: -head.length });
      handler = script.runInContext(this.#ctx);
    } catch (e) {
      const [name, message, stack] = this.#describe(e);
      throw new CffLoadError(name, message, stack);
    }
    if (typeof handler !== 'function') throw new CffLoadError('HandlerNotFound', "no top-level function named 'handler'", '');
    this.#exports.setHandler(handler);
  }

  /** Replaces the key value store's contents (the data file changed). */
  setKvs(kvs: KvsView | undefined): void {
    this.#kvs = kvs;
  }

  /** Runs the handler once. Never throws: a throw, a rejection or a bad result is an outcome. */
  run(input: RunInput): RunOutput {
    const s = this.#state;
    s.now = input.nowMs;
    s.logs = [];
    s.logBytes = 0;
    s.logsTruncated = false;
    s.originCalls = [];
    s.kvsReads = 0;
    s.eventType = input.eventType;
    const started = performance.now();
    try {
      this.#exports.begin(input.eventJson, input.rawQuery);
      RUN.runInContext(this.#ctx);
      const o = this.#exports.outcome();
      if (!o.settled) {
        const why = o.thenable ? "the handler's promise never settled (nothing can settle it later: a function has no timers or I/O)" : 'the handler did not run';
        return this.#fail(started, 'Error', why, '');
      }
      if (o.failed) {
        const [name, message, stack] = this.#describe(o.error);
        return this.#fail(started, name, message, stack);
      }
      const json = this.#exports.stringify(o.result);
      return { ok: true, resultJson: json === undefined ? 'null' : json, ...this.#facts(started) };
    } catch (e) {
      const [name, message, stack] = this.#describe(e);
      return this.#fail(started, name, message, stack);
    }
  }

  #describe(e: unknown): [string, string, string] {
    // Errors of the worker's own realm (a compile error of the wrapper) are real Errors here.
    const [name, message, stack] = e instanceof Error ? [e.name, e.message, e.stack ?? ''] : this.#exports.describeError(e);
    return [name, message, cleanStack(stack, name)];
  }

  #fail(started: number, errorType: string, errorMessage: string, stack: string): RunOutput {
    return { ok: false, errorType, errorMessage, stack, ...this.#facts(started) };
  }

  #facts(started: number): RunFacts {
    const s = this.#state;
    return { runMs: performance.now() - started, logs: s.logs, logsTruncated: s.logsTruncated, originCalls: s.originCalls, kvsReads: s.kvsReads };
  }

  #host(s: RunState): PreludeHost {
    return {
      runtime: this.#runtime === 'cloudfront-js-1.0' ? '1.0' : '2.0',
      log: (line: string) => {
        if (s.logsTruncated) return;
        const n = Buffer.byteLength(line, 'utf8') + 1;
        if (s.logBytes + n > LOG_LIMIT_BYTES) {
          // Logs are cut at 10 KB per run (edge-functions-logs.html).
          s.logsTruncated = true;
          const room = LOG_LIMIT_BYTES - s.logBytes;
          if (room > 1) s.logs.push(Buffer.from(line, 'utf8').subarray(0, room - 1).toString('utf8'));
          s.logBytes = LOG_LIMIT_BYTES;
          return;
        }
        s.logBytes += n;
        s.logs.push(line);
      },
      now: () => s.now,
      digest: (alg: string, key: unknown, parts: unknown[], out: string) => {
        const k = key === null ? undefined : (key as [string, string | Uint8Array]);
        const hasher = k === undefined ? createHash(alg) : createHmac(alg, k[0] === 'str' ? Buffer.from(k[1] as string, 'utf8') : bytes(k[1] as Uint8Array));
        for (const part of parts) {
          const p = part as [string, string] | [Uint8Array];
          if (typeof p[0] === 'string') hasher.update(p[0], (p[1] ?? 'utf8') as Enc);
          else hasher.update(bytes(p[0]));
        }
        return hasher.digest(out as 'hex' | 'base64' | 'base64url' | 'binary');
      },
      byteLength: (str: string, enc: string) => Buffer.byteLength(str, enc as Enc),
      write: (target: Uint8Array, str: string, enc: string, offset: number, max: number) => {
        if (max <= 0) return 0;
        return bytes(target).write(str, offset, max, enc as Enc);
      },
      toString: (source: Uint8Array, enc: string, start: number, end: number) => bytes(source).toString(enc as Enc, start, end),
      decodeUtf8: (source: Uint8Array, fatal: boolean, ignoreBOM: boolean) => new TextDecoder('utf-8', { fatal, ignoreBOM }).decode(bytes(source)),
      qsParse: (str: string, sep: unknown, eq: unknown, opts: unknown) =>
        JSON.stringify(qsParse(str, typeof sep === 'string' ? sep : undefined, typeof eq === 'string' ? eq : undefined, qsOptions(opts))),
      qsStringify: (obj: unknown, sep: unknown, eq: unknown, opts: unknown) =>
        qsStringify(obj as Record<string, string>, typeof sep === 'string' ? sep : undefined, typeof eq === 'string' ? eq : undefined, qsOptions(opts)),
      qsEscape: (str: string) => qsEscape(str),
      qsUnescape: (str: string) => qsUnescape(str),
      kvsGet: (key: string) => {
        s.kvsReads++;
        return this.#kvs?.entries.get(key);
      },
      kvsMeta: () => {
        s.kvsReads++;
        const k = this.#kvs;
        return JSON.stringify(k === undefined ? {} : { creationDateTime: k.creationDateTime, lastUpdatedDateTime: k.lastUpdatedDateTime, keyCount: k.entries.size });
      },
      kvsId: () => this.#kvs?.id ?? '',
      // "You can only use this method for viewer-request functions" (general-helper-methods.html).
      edgeLocation: () => (s.eventType === 'viewer-request' && this.#edge !== undefined ? JSON.stringify(this.#edge) : '{}'),
      originCall: (helper: string, argsJson: string) => {
        if (!ORIGIN_HELPERS.has(helper)) return;
        s.originCalls.push({ helper: helper as OriginCall['helper'], args: JSON.parse(argsJson) as unknown });
      },
    };
  }

}

/**
 * The function's own frames only: from the `Name: message` line (vm's decoration of a load error —
 * `file:line`, the source line, a caret — comes before it) down to the first frame that is ours.
 */
function cleanStack(stack: string, name: string): string {
  const lines = stack.split('\n');
  let from = lines.findIndex((l) => l.startsWith(`${name}:`) || l === name);
  if (from < 0) from = 0;
  const out: string[] = [];
  for (let i = from; i < lines.length; i++) {
    const l = lines[i]!;
    if (i > from && (l.includes('edgeproxy:cff-') || l.includes('node:vm') || l.includes('(node:') || l.includes('file://'))) break;
    out.push(l);
  }
  return out.join('\n');
}

function qsOptions(opts: unknown): { maxKeys?: number; decodeURIComponent?: (s: string) => string; encodeURIComponent?: (s: string) => string } | undefined {
  if (typeof opts !== 'object' || opts === null) return undefined;
  const o = opts as Record<string, unknown>;
  const out: { maxKeys?: number; decodeURIComponent?: (s: string) => string; encodeURIComponent?: (s: string) => string } = {};
  if (typeof o['maxKeys'] === 'number') out.maxKeys = o['maxKeys'];
  const dec = o['decodeURIComponent'];
  const enc = o['encodeURIComponent'];
  // The function's own functions, called with strings; what they return is coerced to a string.
  if (typeof dec === 'function') out.decodeURIComponent = (x: string) => String((dec as (s: string) => unknown)(x));
  if (typeof enc === 'function') out.encodeURIComponent = (x: string) => String((enc as (s: string) => unknown)(x));
  return out;
}
