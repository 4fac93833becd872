// The code that sets up a CloudFront Function's global environment. It runs INSIDE the function's
// vm context (sandbox.ts evaluates `(${prelude})` there), so it must be self-contained: no imports, no
// references to this module's scope, only what the context itself has plus the `host` primitives.
//
// What a function sees is what AWS's runtime pages list (CloudFront Developer Guide, "JavaScript runtime
// 1.0 features" / "JavaScript runtime 2.0 features"): ECMAScript 5.1 in full, the ES2015+ members the
// page lists for the runtime, and nothing else — no Map/Set/Proxy/Reflect/Intl/BigInt/WebAssembly, no
// timers, no process. Only the members added after ES5.1 are pruned: ES5.1 is the base both pages
// claim, and their method lists leave out plain ES5.1 methods such as String.prototype.charCodeAt.
//
// Host primitives take and return strings and numbers only, and each is wrapped in a function made
// here, so no object of the worker's own realm (whose Function constructor could compile code) ever
// reaches the function's code. Values the function gets — Buffers, parsed query strings, errors — are
// built in this realm.

/** What the sandbox hands the prelude: primitives in, primitives out. */
export interface PreludeHost {
  runtime: '1.0' | '2.0';
  log(line: string): void;
  /** ms since the epoch of the current run's start (frozen Date, "Date and timestamps"). */
  now(): number;
  /** Digest of parts: each part is [string, encoding] or [Uint8Array]; returns the digest in `out` encoding ('latin1' for bytes). */
  digest(alg: string, key: unknown, parts: unknown[], out: string): string;
  byteLength(s: string, enc: string): number;
  /** Writes `s` encoded as `enc` into `target` at `offset`, at most `max` bytes; returns bytes written. */
  write(target: Uint8Array, s: string, enc: string, offset: number, max: number): number;
  toString(source: Uint8Array, enc: string, start: number, end: number): string;
  /** UTF-8 decode with TextDecoder semantics; throws TypeError text when fatal and invalid. */
  decodeUtf8(source: Uint8Array, fatal: boolean, ignoreBOM: boolean): string;
  qsParse(s: string, sep: unknown, eq: unknown, opts: unknown): string;
  qsStringify(obj: unknown, sep: unknown, eq: unknown, opts: unknown): string;
  qsEscape(s: string): string;
  qsUnescape(s: string): string;
  kvsGet(key: string): string | undefined;
  kvsMeta(): string;
  /** The associated store's id, or '' when the function has none. */
  kvsId(): string;
  /** JSON of the edge location for the current run ('{}' at viewer-response). */
  edgeLocation(): string;
  /** Records a call of a cloudfront-module origin helper, as JSON of its arguments. */
  originCall(helper: string, argsJson: string): void;
}

/** What the prelude gives back to the sandbox: functions of the context's realm. */
export interface PreludeExports {
  /** Module lookups for `require` and rewritten `import` (check.ts toScript). */
  importModule(name: string, binding: string): unknown;
  requireModule(name: string): unknown;
  /** Turns an error thrown in the context into [name, message, stack] strings. */
  describeError(e: unknown): [string, string, string];
  /** JSON.stringify of the context; throws in the context's realm. */
  stringify(v: unknown): string | undefined;
  parse(s: string): unknown;
  /** Sets the function the run script calls with each event (the module's top-level `handler`). */
  setHandler(handler: unknown): void;
  /** Prepares one run: the event (parsed here) and request.rawQueryString()'s value (2.0). */
  begin(eventJson: string, raw: string | undefined): void;
  /** How the last run ended; read after the run script returned (its microtasks have run). */
  outcome(): RunSlot;
}

export interface RunSlot {
  settled: boolean;
  thenable: boolean;
  failed: boolean;
  result: unknown;
  error: unknown;
}

/** The global the run script calls; not enumerable, not writable. */
export const RUN_GLOBAL = '__edgeproxyRun';
/** The global a rewritten `import` calls (check.ts toScript). */
export const IMPORT_GLOBAL = '__cffImport';

// The body of this function is the prelude; `globalThis` inside it is the function's context.
export function prelude(host: PreludeHost): PreludeExports {
  'use strict';
  const G = globalThis as unknown as Record<string, unknown>;
  const is2 = host.runtime === '2.0';
  const defineProperty = Object.defineProperty;
  const getOwnPropertyNames = Object.getOwnPropertyNames;
  const freeze = Object.freeze;
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const RealDate = Date;
  const construct = Reflect.construct;
  const apply = Reflect.apply;
  const fromCharCode = String.fromCharCode;
  const U8 = Uint8Array;
  const DV = DataView;
  const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as Record<string, unknown>;
  const u8set = TypedArrayProto['set'] as (this: Uint8Array, src: ArrayLike<number>, offset?: number) => void;
  const u8fill = TypedArrayProto['fill'] as (this: Uint8Array, v: number, a?: number, b?: number) => Uint8Array;
  const u8subarray = TypedArrayProto['subarray'] as (this: Uint8Array, a?: number, b?: number) => Uint8Array;

  // Errors thrown by a host primitive are the worker realm's: rebuild them here.
  const rethrow = (e: unknown): never => {
    const name = typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : 'Error';
    const message = typeof e === 'object' && e !== null ? String((e as { message?: unknown }).message) : String(e);
    const C = (name === 'TypeError' ? TypeError : name === 'RangeError' ? RangeError : Error) as ErrorConstructor;
    throw new C(message);
  };
  const call = <A extends unknown[], R>(f: (...a: A) => R): ((...a: A) => R) =>
    function (...a: A): R {
      try {
        return f(...a);
      } catch (e) {
        return rethrow(e);
      }
    };
  const h = {
    log: call(host.log),
    now: call(host.now),
    digest: call(host.digest),
    byteLength: call(host.byteLength),
    write: call(host.write),
    toString: call(host.toString),
    decodeUtf8: call(host.decodeUtf8),
    qsParse: call(host.qsParse),
    qsStringify: call(host.qsStringify),
    qsEscape: call(host.qsEscape),
    qsUnescape: call(host.qsUnescape),
    kvsGet: call(host.kvsGet),
    kvsMeta: call(host.kvsMeta),
    kvsId: call(host.kvsId),
    edgeLocation: call(host.edgeLocation),
    originCall: call(host.originCall),
  };

  const hidden = (o: object, name: string, value: unknown): void => {
    defineProperty(o, name, { value, writable: true, configurable: true, enumerable: false });
  };

  // ---- Date: the same instant, the run's start, for the whole run ("Date and timestamps") ----
  const FrozenDate = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(h.now()).toString();
    return construct(RealDate, args.length === 0 ? [h.now()] : args, new.target);
  } as unknown as DateConstructor;
  for (const k of getOwnPropertyNames(RealDate)) {
    if (k !== 'prototype' && k !== 'length' && k !== 'name') defineProperty(FrozenDate, k, Object.getOwnPropertyDescriptor(RealDate, k)!);
  }
  defineProperty(FrozenDate, 'name', { value: 'Date' });
  hidden(FrozenDate, 'now', function now(): number {
    return h.now();
  });
  defineProperty(FrozenDate, 'prototype', { value: RealDate.prototype, writable: false });
  hidden(RealDate.prototype, 'constructor', FrozenDate);
  G['Date'] = FrozenDate;

  // ---- console.log only ----
  const show = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null) {
      try {
        const s = JSONstringify(v);
        if (typeof s === 'string') return s;
      } catch {
        // cyclic: fall through to String()
      }
    }
    return String(v);
  };
  const consoleObj = {};
  hidden(consoleObj, 'log', function log(...args: unknown[]): void {
    let line = '';
    for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + show(args[i]);
    h.log(line);
  });
  G['console'] = consoleObj;

  // ---- error types the pages list beyond ES5.1's ----
  const named = (name: string): ErrorConstructor => {
    const C = function (this: Error, message?: string): Error {
      const e = construct(Error, message === undefined ? [] : [message], new.target ?? C) as Error;
      return e;
    } as unknown as ErrorConstructor;
    defineProperty(C, 'name', { value: name });
    (C as { prototype: Error }).prototype = Object.create(Error.prototype, {
      name: { value: name, writable: true, configurable: true },
      constructor: { value: C, writable: true, configurable: true },
    }) as Error;
    return C;
  };
  G['InternalError'] = named('InternalError');
  if (!is2) G['MemoryError'] = named('MemoryError');

  // ---- byte helpers ----
  const ENCODINGS = ['utf8', 'utf-8', 'hex', 'base64', 'base64url'];
  const encodingOf = (enc: unknown): string => {
    if (enc === undefined || enc === null) return 'utf8';
    const e = String(enc).toLowerCase();
    if (ENCODINGS.indexOf(e) < 0) throw new TypeError(`Unknown encoding: ${String(enc)}`);
    return e === 'utf-8' ? 'utf8' : e;
  };
  const latin1ToBytes = (s: string): Uint8Array => {
    const out = new U8(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
    return out;
  };
  const bytesToLatin1 = (b: Uint8Array, start = 0, end = b.length): string => {
    let s = '';
    for (let i = start; i < end; i += 4096) s += apply(fromCharCode, undefined, Array.prototype.slice.call(b, i, Math.min(end, i + 4096)) as number[]);
    return s;
  };

  // ---- Buffer (2.0): the subset the runtime 2.0 page lists, utf8/hex/base64/base64url only ----
  let BufferC: (new (n: number) => Uint8Array) & Record<string, unknown> = undefined as never;
  if (is2) {
    class Buffer extends U8 {
      static alloc(size: number, fill?: unknown, encoding?: unknown): Buffer {
        const b = new Buffer(checkSize(size));
        if (fill !== undefined && fill !== 0) (b as unknown as { fill(v: unknown, o?: unknown, e?: unknown, enc?: unknown): void }).fill(fill, 0, b.length, encoding);
        return b;
      }
      static allocUnsafe(size: number): Buffer {
        return new Buffer(checkSize(size));
      }
      static byteLength(value: unknown, encoding?: unknown): number {
        if (typeof value === 'string') return h.byteLength(value, encodingOf(encoding));
        if (value instanceof U8 || value instanceof DV || ArrayBuffer.isView(value)) return (value as ArrayBufferView).byteLength;
        if (value instanceof ArrayBuffer) return value.byteLength;
        throw new TypeError('The "value" argument must be a string, Buffer, TypedArray, DataView or ArrayBuffer');
      }
      static compare(a: Uint8Array, b: Uint8Array): number {
        if (!(a instanceof U8) || !(b instanceof U8)) throw new TypeError('The arguments must be Buffers or Uint8Arrays');
        return compareBytes(a, 0, a.length, b, 0, b.length);
      }
      static concat(list: Uint8Array[], totalLength?: number): Buffer {
        if (!Array.isArray(list)) throw new TypeError('The "list" argument must be an Array of Buffers');
        let total = 0;
        for (const b of list) total += b.length;
        const n = totalLength === undefined ? total : checkSize(totalLength);
        const out = new Buffer(n);
        let at = 0;
        for (const b of list) {
          if (at >= n) break;
          const part = b.length > n - at ? apply(u8subarray, b, [0, n - at]) : b;
          apply(u8set, out, [part, at]);
          at += part.length;
        }
        return out;
      }
      static override from(value: unknown, offsetOrEncoding?: unknown, length?: unknown): Buffer {
        if (typeof value === 'string') {
          const enc = encodingOf(offsetOrEncoding);
          const n = h.byteLength(value, enc);
          const b = new Buffer(n);
          h.write(b, value, enc, 0, n);
          return b;
        }
        if (value instanceof ArrayBuffer) {
          const off = offsetOrEncoding === undefined ? 0 : Number(offsetOrEncoding);
          const len = length === undefined ? value.byteLength - off : Number(length);
          return new Buffer(value, off, len);
        }
        if (value instanceof U8) {
          const b = new Buffer(value.length);
          apply(u8set, b, [value]);
          return b;
        }
        if (Array.isArray(value)) {
          const b = new Buffer(value.length);
          for (let i = 0; i < value.length; i++) b[i] = Number(value[i]) & 255;
          return b;
        }
        if (typeof value === 'object' && value !== null) {
          const v = (value as { valueOf(): unknown }).valueOf();
          if (v !== value) return Buffer.from(v, offsetOrEncoding, length);
          const o = value as { type?: unknown; data?: unknown; length?: unknown };
          if (o.type === 'Buffer' && Array.isArray(o.data)) return Buffer.from(o.data);
          if (typeof o.length === 'number') return Buffer.from(Array.prototype.slice.call(value) as unknown[]);
        }
        throw new TypeError('The first argument must be a string, Buffer, ArrayBuffer, Array, or array-like object');
      }
      static isBuffer(v: unknown): boolean {
        return v instanceof Buffer;
      }
      static isEncoding(enc: unknown): boolean {
        return typeof enc === 'string' && ENCODINGS.indexOf(enc.toLowerCase()) >= 0;
      }
      compare(target: Uint8Array, tStart = 0, tEnd = target.length, sStart = 0, sEnd = this.length): number {
        if (!(target instanceof U8)) throw new TypeError('The "target" argument must be a Buffer or Uint8Array');
        return compareBytes(this, sStart, sEnd, target, tStart, tEnd);
      }
      copy(target: Uint8Array, tStart = 0, sStart = 0, sEnd = this.length): number {
        const part = apply(u8subarray, this, [sStart, Math.min(sEnd, sStart + (target.length - tStart))]);
        apply(u8set, target, [part, tStart]);
        return part.length;
      }
      equals(other: Uint8Array): boolean {
        if (!(other instanceof U8)) throw new TypeError('The "otherBuffer" argument must be a Buffer or Uint8Array');
        return compareBytes(this, 0, this.length, other, 0, other.length) === 0;
      }
      override fill(value: unknown, offset: unknown = 0, end: unknown = this.length, encoding?: unknown): this {
        let enc = encoding;
        let o = offset;
        let e = end;
        if (typeof offset === 'string') {
          enc = offset;
          o = 0;
          e = this.length;
        } else if (typeof end === 'string') {
          enc = end;
          e = this.length;
        }
        const from = Number(o);
        const to = Number(e);
        if (typeof value === 'number') {
          apply(u8fill, this, [value & 255, from, to]);
          return this;
        }
        const pattern = typeof value === 'string' ? Buffer.from(value, enc) : value instanceof U8 ? value : Buffer.from([Number(value)]);
        if (pattern.length === 0) {
          apply(u8fill, this, [0, from, to]);
          return this;
        }
        for (let i = from, j = 0; i < to; i++, j = (j + 1) % pattern.length) this[i] = pattern[j]!;
        return this;
      }
      override includes(value: unknown, byteOffset?: unknown, encoding?: unknown): boolean {
        return this.indexOf(value, byteOffset, encoding) !== -1;
      }
      override indexOf(value: unknown, byteOffset?: unknown, encoding?: unknown): number {
        const needle = needleOf(value, byteOffset, encoding);
        let from = typeof byteOffset === 'number' ? byteOffset : 0;
        if (from < 0) from = Math.max(0, this.length + from);
        return searchBytes(this, needle, from, 1);
      }
      override lastIndexOf(value: unknown, byteOffset?: unknown, encoding?: unknown): number {
        const needle = needleOf(value, byteOffset, encoding);
        let from = typeof byteOffset === 'number' ? byteOffset : this.length - needle.length;
        if (from < 0) from = this.length + from;
        return searchBytes(this, needle, Math.min(from, this.length - needle.length), -1);
      }
      override subarray(start?: number, end?: number): Buffer {
        return apply(u8subarray, this, [start, end]) as Buffer;
      }
      swap16(): this {
        return swap(this, 2);
      }
      swap32(): this {
        return swap(this, 4);
      }
      swap64(): this {
        return swap(this, 8);
      }
      toJSON(): { type: 'Buffer'; data: number[] } {
        return { type: 'Buffer', data: Array.prototype.slice.call(this) as number[] };
      }
      override toString(encoding?: unknown, start = 0, end = this.length): string {
        const s = Math.max(0, start);
        const e = Math.min(this.length, end);
        if (e <= s) return '';
        return h.toString(this, encodingOf(encoding), s, e);
      }
      write(s: string, offset?: unknown, length?: unknown, encoding?: unknown): number {
        let o = 0;
        let len = this.length;
        let enc = encoding;
        if (typeof offset === 'string') enc = offset;
        else {
          if (offset !== undefined) o = Number(offset);
          if (typeof length === 'string') enc = length;
          else if (length !== undefined) len = Number(length);
        }
        return h.write(this, String(s), encodingOf(enc), o, Math.min(len, this.length - o));
      }
    }
    const checkSize = (n: unknown): number => {
      if (typeof n !== 'number' || !(n >= 0) || n > 2 ** 31 - 1 || n !== Math.floor(n)) throw new RangeError(`The "size" argument must be an integer from 0, got ${String(n)}`);
      return n;
    };
    const compareBytes = (a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number => {
      const n = Math.min(ae - as, be - bs);
      for (let i = 0; i < n; i++) {
        const x = a[as + i]!;
        const y = b[bs + i]!;
        if (x !== y) return x < y ? -1 : 1;
      }
      return ae - as === be - bs ? 0 : ae - as < be - bs ? -1 : 1;
    };
    const needleOf = (value: unknown, byteOffset: unknown, encoding: unknown): Uint8Array => {
      if (typeof value === 'number') return Buffer.from([value]);
      if (typeof value === 'string') return Buffer.from(value, typeof byteOffset === 'string' ? byteOffset : encoding);
      if (value instanceof U8) return value;
      throw new TypeError('The "value" argument must be a string, number, Buffer or Uint8Array');
    };
    const searchBytes = (hay: Uint8Array, needle: Uint8Array, from: number, step: 1 | -1): number => {
      if (needle.length === 0) return Math.min(Math.max(from, 0), hay.length);
      for (let i = from; step === 1 ? i <= hay.length - needle.length : i >= 0; i += step) {
        let j = 0;
        while (j < needle.length && hay[i + j] === needle[j]) j++;
        if (j === needle.length) return i;
      }
      return -1;
    };
    const swap = <T extends Uint8Array>(b: T, size: number): T => {
      if (b.length % size !== 0) throw new RangeError(`Buffer size must be a multiple of ${size * 8}-bits`);
      for (let i = 0; i < b.length; i += size) {
        for (let j = 0; j < size / 2; j++) {
          const t = b[i + j]!;
          b[i + j] = b[i + size - 1 - j]!;
          b[i + size - 1 - j] = t;
        }
      }
      return b;
    };
    // Integer and float accessors through a DataView over the buffer's bytes.
    const view = (b: Uint8Array): DataView => new DV(b.buffer, b.byteOffset, b.byteLength);
    const P = Buffer.prototype as unknown as Record<string, unknown>;
    const fixed: Array<[string, string, number, boolean]> = [
      ['Int8', 'Int8', 1, false], ['UInt8', 'Uint8', 1, false],
      ['Int16BE', 'Int16', 2, false], ['Int16LE', 'Int16', 2, true], ['UInt16BE', 'Uint16', 2, false], ['UInt16LE', 'Uint16', 2, true],
      ['Int32BE', 'Int32', 4, false], ['Int32LE', 'Int32', 4, true], ['UInt32BE', 'Uint32', 4, false], ['UInt32LE', 'Uint32', 4, true],
      ['FloatBE', 'Float32', 4, false], ['FloatLE', 'Float32', 4, true], ['DoubleBE', 'Float64', 8, false], ['DoubleLE', 'Float64', 8, true],
    ];
    const bounds = (b: Uint8Array, offset: number, size: number): number => {
      if (typeof offset !== 'number' || offset !== Math.floor(offset) || offset < 0 || offset + size > b.length) {
        throw new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${b.length - size}. Received ${String(offset)}`);
      }
      return offset;
    };
    for (const [name, dv, size, little] of fixed) {
      const get = (DV.prototype as unknown as Record<string, (o: number, l: boolean) => number>)[`get${dv}`]!;
      const set = (DV.prototype as unknown as Record<string, (o: number, v: number, l: boolean) => void>)[`set${dv}`]!;
      hidden(P, `read${name}`, function (this: Uint8Array, offset = 0): number {
        return apply(get, view(this), [bounds(this, offset, size), little]);
      });
      hidden(P, `write${name}`, function (this: Uint8Array, value: number, offset = 0): number {
        apply(set, view(this), [bounds(this, offset, size), Number(value), little]);
        return offset + size;
      });
    }
    const variable = (b: Uint8Array, offset: number, n: number, little: boolean, signed: boolean): number => {
      if (!(n >= 1 && n <= 6)) throw new RangeError(`The value of "byteLength" is out of range. It must be >= 1 and <= 6. Received ${String(n)}`);
      bounds(b, offset, n);
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + b[offset + (little ? n - 1 - i : i)]!;
      if (signed && v >= 2 ** (8 * n - 1)) v -= 2 ** (8 * n);
      return v;
    };
    const putVariable = (b: Uint8Array, value: number, offset: number, n: number, little: boolean): number => {
      if (!(n >= 1 && n <= 6)) throw new RangeError(`The value of "byteLength" is out of range. It must be >= 1 and <= 6. Received ${String(n)}`);
      bounds(b, offset, n);
      let v = value < 0 ? value + 2 ** (8 * n) : value;
      for (let i = 0; i < n; i++) {
        b[offset + (little ? i : n - 1 - i)] = v % 256;
        v = Math.floor(v / 256);
      }
      return offset + n;
    };
    hidden(P, 'readIntBE', function (this: Uint8Array, o: number, n: number) { return variable(this, o, n, false, true); });
    hidden(P, 'readIntLE', function (this: Uint8Array, o: number, n: number) { return variable(this, o, n, true, true); });
    hidden(P, 'readUIntBE', function (this: Uint8Array, o: number, n: number) { return variable(this, o, n, false, false); });
    hidden(P, 'readUIntLE', function (this: Uint8Array, o: number, n: number) { return variable(this, o, n, true, false); });
    hidden(P, 'writeIntBE', function (this: Uint8Array, v: number, o: number, n: number) { return putVariable(this, v, o, n, false); });
    hidden(P, 'writeIntLE', function (this: Uint8Array, v: number, o: number, n: number) { return putVariable(this, v, o, n, true); });
    hidden(P, 'writeUIntBE', function (this: Uint8Array, v: number, o: number, n: number) { return putVariable(this, v, o, n, false); });
    hidden(P, 'writeUIntLE', function (this: Uint8Array, v: number, o: number, n: number) { return putVariable(this, v, o, n, true); });
    BufferC = Buffer as unknown as typeof BufferC;
    G['Buffer'] = Buffer;

    // ---- TextEncoder / TextDecoder (UTF-8), atob / btoa ----
    class TextEncoder {
      get encoding(): string {
        return 'utf-8';
      }
      encode(input: unknown = ''): Uint8Array {
        const s = String(input);
        const out = new U8(h.byteLength(s, 'utf8'));
        h.write(out, s, 'utf8', 0, out.length);
        return out;
      }
      encodeInto(input: unknown, dest: Uint8Array): { read: number; written: number } {
        const s = String(input);
        // Whole characters only: shrink until the encoding fits.
        let read = s.length;
        while (read > 0 && h.byteLength(s.slice(0, read), 'utf8') > dest.length) read--;
        if (read > 0 && read < s.length && s.charCodeAt(read - 1) >= 0xd800 && s.charCodeAt(read - 1) <= 0xdbff) read--;
        const written = h.write(dest, s.slice(0, read), 'utf8', 0, dest.length);
        return { read, written };
      }
    }
    class TextDecoder {
      readonly #fatal: boolean;
      readonly #ignoreBOM: boolean;
      constructor(label: unknown = 'utf-8', options: { fatal?: unknown; ignoreBOM?: unknown } = {}) {
        const l = String(label).toLowerCase();
        if (l !== 'utf-8' && l !== 'utf8') throw new RangeError(`The "${String(label)}" encoding is not supported`);
        this.#fatal = Boolean(options.fatal);
        this.#ignoreBOM = Boolean(options.ignoreBOM);
      }
      get encoding(): string {
        return 'utf-8';
      }
      get fatal(): boolean {
        return this.#fatal;
      }
      get ignoreBOM(): boolean {
        return this.#ignoreBOM;
      }
      decode(input?: unknown): string {
        if (input === undefined) return '';
        let bytes: Uint8Array;
        if (input instanceof U8) bytes = input;
        else if (input instanceof ArrayBuffer) bytes = new U8(input);
        else if (ArrayBuffer.isView(input)) bytes = new U8((input as ArrayBufferView).buffer, (input as ArrayBufferView).byteOffset, (input as ArrayBufferView).byteLength);
        else throw new TypeError('The "input" argument must be an ArrayBuffer or ArrayBufferView');
        return h.decodeUtf8(bytes, this.#fatal, this.#ignoreBOM);
      }
    }
    G['TextEncoder'] = TextEncoder;
    G['TextDecoder'] = TextDecoder;
    G['atob'] = function atob(data: unknown): string {
      if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
      const s = String(data).replace(/[\t\n\f\r ]/g, '');
      if (s.length % 4 === 1 || /[^A-Za-z0-9+/=]/.test(s) || /=[^=]/.test(s)) throw new Error('InvalidCharacterError: The string to be decoded is not correctly encoded.');
      const b = new U8(h.byteLength(s, 'base64'));
      h.write(b, s, 'base64', 0, b.length);
      return bytesToLatin1(b);
    };
    G['btoa'] = function btoa(data: unknown): string {
      if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
      const s = String(data);
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) throw new Error('InvalidCharacterError: Invalid character');
      const b = latin1ToBytes(s);
      return h.toString(b, 'base64', 0, b.length);
    };
  }

  // ---- 1.0's non-standard byte-string methods (runtime 1.0 page, "String") ----
  if (!is2) {
    const SP = String.prototype as unknown as Record<string, unknown>;
    const range = (s: string, start?: number, end?: number): string => s.slice(start ?? 0, end ?? s.length);
    hidden(String, 'bytesFrom', function bytesFrom(v: unknown, encoding?: unknown): string {
      if (Array.isArray(v)) {
        let s = '';
        for (let i = 0; i < v.length; i++) s += fromCharCode(Number(v[i]) & 255);
        return s;
      }
      const enc = encodingOf(encoding);
      const str = String(v);
      const b = new U8(h.byteLength(str, enc));
      h.write(b, str, enc, 0, b.length);
      return bytesToLatin1(b);
    });
    hidden(SP, 'bytesFrom', (String as unknown as Record<string, unknown>)['bytesFrom']);
    hidden(SP, 'fromBytes', function fromBytes(this: string, start?: number, end?: number): string {
      return range(String(this), start, end);
    });
    hidden(SP, 'toBytes', function toBytes(this: string, start?: number, end?: number): string | null {
      const s = range(String(this), start, end);
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return null;
      return s;
    });
    hidden(SP, 'toUTF8', function toUTF8(this: string, start?: number, end?: number): string {
      const s = range(String(this), start, end);
      const b = new U8(h.byteLength(s, 'utf8'));
      h.write(b, s, 'utf8', 0, b.length);
      return bytesToLatin1(b);
    });
    hidden(SP, 'fromUTF8', function fromUTF8(this: string, start?: number, end?: number): string | null {
      const s = range(String(this), start, end);
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return null;
      try {
        return h.decodeUtf8(latin1ToBytes(s), true, true);
      } catch {
        return null;
      }
    });
  }

  // ---- modules ----
  const bytesPart = (data: unknown, enc: unknown): unknown[] => {
    if (typeof data === 'string') return [data, enc === undefined ? 'utf8' : String(enc)];
    if (data instanceof U8) return [data];
    if (ArrayBuffer.isView(data)) return [new U8((data as ArrayBufferView).buffer, (data as ArrayBufferView).byteOffset, (data as ArrayBufferView).byteLength)];
    if (data instanceof ArrayBuffer) return [new U8(data)];
    throw new TypeError('The "data" argument must be a string, Buffer, TypedArray or DataView');
  };
  const DIGEST_ENC = ['hex', 'base64', 'base64url'];
  const makeDigester = (alg: unknown, key: unknown): object => {
    const a = String(alg);
    if (a !== 'md5' && a !== 'sha1' && a !== 'sha256') throw new Error(`Digest method not supported: ${a} (md5, sha1, sha256)`);
    let k: unknown = null;
    if (key !== null) {
      if (typeof key === 'string') k = ['str', key];
      else if (key instanceof U8) k = ['bytes', key];
      else throw new TypeError('The "key" argument must be a string or a Buffer');
    }
    const parts: unknown[] = [];
    let done = false;
    const obj = {};
    hidden(obj, 'update', function update(data: unknown, enc?: unknown): object {
      if (done) throw new Error('Digest already called');
      parts.push(bytesPart(data, enc));
      return obj;
    });
    hidden(obj, 'digest', function digest(enc?: unknown): unknown {
      if (done) throw new Error('Digest already called');
      done = true;
      if (enc !== undefined && DIGEST_ENC.indexOf(String(enc)) < 0) throw new Error(`Unknown digest encoding: ${String(enc)} (hex, base64, base64url)`);
      const out = h.digest(a, k, parts, enc === undefined ? 'latin1' : String(enc));
      if (enc !== undefined) return out;
      // Without an encoding: a byte string in 1.0, a Buffer in 2.0 (runtime features page).
      return is2 ? (BufferC as unknown as { from(b: Uint8Array): unknown }).from(latin1ToBytes(out)) : out;
    });
    return obj;
  };
  const cryptoModule = {};
  hidden(cryptoModule, 'createHash', function createHash(alg: unknown): object {
    return makeDigester(alg, null);
  });
  hidden(cryptoModule, 'createHmac', function createHmac(alg: unknown, key: unknown): object {
    return makeDigester(alg, key);
  });
  freeze(cryptoModule);

  const qsModule = {};
  const parseQs = function parse(s: unknown, sep?: unknown, eq?: unknown, opts?: unknown): unknown {
    return JSONparse(h.qsParse(String(s ?? ''), sep, eq, opts));
  };
  const stringifyQs = function stringify(o: unknown, sep?: unknown, eq?: unknown, opts?: unknown): string {
    return h.qsStringify(o, sep, eq, opts);
  };
  hidden(qsModule, 'parse', parseQs);
  hidden(qsModule, 'decode', parseQs);
  hidden(qsModule, 'stringify', stringifyQs);
  hidden(qsModule, 'encode', stringifyQs);
  hidden(qsModule, 'escape', (s: unknown): string => {
    return h.qsEscape(String(s));
  });
  hidden(qsModule, 'unescape', (s: unknown): string => {
    return h.qsUnescape(String(s));
  });
  freeze(qsModule);

  // ---- the cloudfront module (2.0): KeyValueStore, origin helpers, edgeLocation ----
  let cfModule: object | undefined;
  if (is2) {
    const kvsError = (name: string, message: string): Error => {
      const e = new Error(message);
      e.name = name;
      return e;
    };
    const makeKvs = (): object => {
      const handle = {};
      hidden(handle, 'get', function get(key: unknown, options?: { format?: unknown }): Promise<unknown> {
        try {
          const k = String(key);
          const format = options?.format === undefined ? 'string' : String(options.format);
          if (format !== 'string' && format !== 'json' && format !== 'bytes') throw new TypeError(`Unknown format: ${format} (string, json, bytes)`);
          const v = h.kvsGet(k);
          if (v === undefined) throw kvsError('KeyNotFound', `Key ${JSONstringify(k)} not found in the key value store`);
          if (format === 'json') return Promise.resolve(JSONparse(v));
          if (format === 'bytes') return Promise.resolve((BufferC as unknown as { from(s: string): unknown }).from(v));
          return Promise.resolve(v);
        } catch (e) {
          return Promise.reject(e);
        }
      });
      hidden(handle, 'exists', function exists(key: unknown): Promise<boolean> {
        return Promise.resolve(h.kvsGet(String(key)) !== undefined);
      });
      hidden(handle, 'meta', function meta(): Promise<unknown> {
        return Promise.resolve(JSONparse(h.kvsMeta()));
      });
      return freeze(handle);
    };
    const cf = {};
    hidden(cf, 'kvs', function kvs(id?: unknown): object {
      const own = h.kvsId();
      if (own === '') throw kvsError('KVSNamespaceNotFound', 'This function has no key value store associated');
      if (id !== undefined && String(id) !== own) throw kvsError('KVSNamespaceNotFound', `Key value store ${JSONstringify(String(id))} is not associated with this function (its store id is ${JSONstringify(own)})`);
      return makeKvs();
    });
    const helper = (name: string) =>
      function (...args: unknown[]): void {
        let json: string | undefined;
        try {
          json = JSONstringify(args);
        } catch {
          json = undefined;
        }
        h.originCall(name, json === undefined ? 'null' : json);
      };
    hidden(cf, 'updateRequestOrigin', helper('updateRequestOrigin'));
    hidden(cf, 'selectRequestOriginById', helper('selectRequestOriginById'));
    hidden(cf, 'createRequestOriginGroup', helper('createRequestOriginGroup'));
    defineProperty(cf, 'edgeLocation', { get: () => JSONparse(h.edgeLocation()) as unknown, enumerable: true, configurable: false });
    cfModule = freeze(cf);
  }

  const modules: Record<string, object | undefined> = { crypto: cryptoModule, querystring: qsModule };
  if (is2) {
    modules['cloudfront'] = cfModule;
    const bufferModule = {};
    hidden(bufferModule, 'Buffer', BufferC);
    modules['buffer'] = freeze(bufferModule);
  }
  const requireModule = (name: string): unknown => {
    const m = Object.prototype.hasOwnProperty.call(modules, name) ? modules[name] : undefined;
    if (m === undefined) throw new Error(`Cannot find module '${name}'`);
    return m;
  };
  G['require'] = function require(name: unknown): unknown {
    return requireModule(String(name));
  };

  // ---- pruning: nothing the runtime page does not list (ES5.1 always stays) ----
  const drop = (o: unknown, names: readonly string[]): void => {
    if (o === undefined || o === null) return;
    for (const n of names) delete (o as Record<string, unknown>)[n];
  };
  drop(G, [
    'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Proxy', 'Reflect', 'Intl', 'BigInt',
    'BigInt64Array', 'BigUint64Array', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'AggregateError', 'escape', 'unescape',
    'Iterator',
  ]);
  if (!is2) drop(G, ['DataView', 'Symbol']);
  drop(Object, ['getOwnPropertySymbols', 'fromEntries', 'hasOwn', 'groupBy', ...(is2 ? [] : ['getOwnPropertyDescriptors'])]);
  drop(Object.prototype, ['__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'toLocaleString']);
  drop(String, ['raw']);
  drop(String.prototype, [
    'normalize', 'trimLeft', 'trimRight', 'matchAll', 'at', 'isWellFormed', 'toWellFormed',
    'anchor', 'big', 'blink', 'bold', 'fixed', 'fontcolor', 'fontsize', 'italics', 'link', 'small', 'strike', 'sub', 'sup',
    ...(is2 ? [] : ['replaceAll']),
  ]);
  drop(Array, ['from', 'fromAsync']);
  drop(Array.prototype, ['entries', 'keys', 'values', 'flat', 'flatMap', 'at', 'findLast', 'findLastIndex', 'toReversed', 'toSorted', 'toSpliced', 'with']);
  const TypedArray = Object.getPrototypeOf(Uint8Array) as object;
  if (!is2) drop(TypedArray, ['from', 'of']);
  drop(TypedArrayProto, [
    'entries', 'keys', 'values', 'at', 'findLast', 'findLastIndex', 'toReversed', 'toSorted', 'with', 'toLocaleString',
    ...(is2 ? [] : ['every', 'filter', 'find', 'findIndex', 'forEach', 'includes', 'indexOf', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'some', 'sort']),
  ]);
  drop(ArrayBuffer.prototype, ['resize', 'transfer', 'transferToFixedLength']);
  drop(Promise, ['withResolvers', ...(is2 ? [] : ['all', 'allSettled', 'any', 'race'])]);
  if (is2) {
    const S = Symbol as unknown as Record<string, unknown>;
    for (const k of getOwnPropertyNames(Symbol)) if (typeof S[k] === 'function' && k !== 'for' && k !== 'keyFor') delete S[k];
  }
  // The Buffer class keeps its own methods; everything above ran with references taken first.

  const importModule = (name: string, binding: string): unknown => {
    const m = requireModule(name);
    if (binding === 'default' || binding === '*') return m;
    return (m as Record<string, unknown>)[binding];
  };
  defineProperty(G, '__cffImport', { value: importModule, enumerable: false, writable: false, configurable: false });

  // ---- the run: the handler with one event, its outcome recorded here ----
  let handlerFn: ((event: unknown) => unknown) | undefined;
  let pendingEvent: unknown;
  let slot = { settled: false, thenable: false, failed: false, result: undefined as unknown, error: undefined as unknown };
  defineProperty(G, '__edgeproxyRun', {
    enumerable: false,
    writable: false,
    configurable: false,
    value: function run(): void {
      const s = slot;
      const event = pendingEvent;
      pendingEvent = undefined;
      if (handlerFn === undefined) return;
      let ret: unknown;
      try {
        ret = handlerFn(event);
      } catch (e) {
        s.settled = true;
        s.failed = true;
        s.error = e;
        return;
      }
      if ((typeof ret === 'object' || typeof ret === 'function') && ret !== null && typeof (ret as { then?: unknown }).then === 'function') {
        s.thenable = true;
        (ret as PromiseLike<unknown>).then(
          (v) => {
            s.settled = true;
            s.result = v;
          },
          (e: unknown) => {
            s.settled = true;
            s.failed = true;
            s.error = e;
          },
        );
        return;
      }
      s.settled = true;
      s.result = ret;
    },
  });

  return {
    importModule,
    requireModule,    describeError(e: unknown): [string, string, string] {
      try {
        if (typeof e === 'object' && e !== null) {
          const o = e as { name?: unknown; message?: unknown; stack?: unknown };
          return [String(o.name ?? 'Error'), String(o.message ?? ''), typeof o.stack === 'string' ? o.stack : ''];
        }
        return [typeof e, String(e), ''];
      } catch {
        return ['Error', 'the error could not be read (its name, message or toString threw)', ''];
      }
    },
    stringify(v: unknown): string | undefined {
      return JSONstringify(v);
    },
    parse(s: string): unknown {
      return JSONparse(s);
    },
    setHandler(handler: unknown): void {
      handlerFn = handler as (event: unknown) => unknown;
    },
    begin(eventJson: string, raw: string | undefined): void {
      const event = JSONparse(eventJson) as { request?: unknown };
      const req = event.request;
      // request.rawQueryString() (2.0, general-helper-methods.html): the query without `?`.
      if (is2 && typeof req === 'object' && req !== null) {
        hidden(req, 'rawQueryString', function rawQueryString(): string | undefined {
          return raw;
        });
      }
      pendingEvent = event;
      slot = { settled: false, thenable: false, failed: false, result: undefined, error: undefined };
    },
    outcome(): RunSlot {
      return slot;
    },
  };
}
