// Origin requests over pooled keep-alive connections (undici), one pool per origin address.
// The body is not a Node stream: undici's dispatch handler hands each chunk straight to whoever
// consumes it (the viewer's socket, the cache, or nobody), pausing the origin socket when the
// consumer is full. That skips the stream machinery that made `request()` + `pipeline()` about
// half as fast as `stream()` on this kind of machine (shared/perf-notes.md).
// Network failures map to CloudFront's answers: refused/reset → 502, DNS → 502, timeouts → 504 (docs/cloudfront-reference.md §4).

import type { Readable, Writable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { EdgeError } from '../errors.js';
import type { Logger } from '../log.js';
import { MAX_ORIGIN_RESPONSE_HEADER_BYTES } from '../rules/cloudfront.js';
import { completingOnReset, CONTINUE_STAND_IN, installUndiciHooks } from './undici-hooks.js';

interface OriginTarget {
  protocol: 'http' | 'https';
  domainName: string;
  port: number;
}

export interface OriginFetch {
  target: OriginTarget;
  /** Path and query as sent on the request line. */
  path: string;
  method: string;
  /** Flat [name, value, …]. */
  headers: string[];
  body: Buffer | Readable | null;
  /** docs/cloudfront-reference.md §1.4 readTimeout, in ms: time to first byte and between body chunks. */
  readTimeoutMs: number;
  keepaliveTimeoutMs: number;
  connectTimeoutMs: number;
}

/** An origin response body, paused until one consumer takes it. */
export interface OriginBody {
  /**
   * Streams into `sink` (ending it); `onChunk` sees every chunk (the cache's copy). Rejects if the
   * origin fails mid-body. With `length` (the Content-Length), a body that arrives in one chunk is
   * written with `end(chunk)`: head and body leave in one write.
   */
  pipeTo(sink: Writable, onChunk?: (chunk: Buffer) => void, length?: number): Promise<void>;
  /** Reads it whole; undefined when longer than `limit` (the origin connection is then dropped). */
  collect(limit: number): Promise<Buffer | undefined>;
  /** Not wanted: drains a little to keep the connection reusable, else drops the connection. */
  discard(): void;
}

interface OriginAnswer {
  status: number;
  statusText: string;
  /** Flat [name, value, …] with the origin's spelling. */
  rawHeaders: string[];
  body: OriginBody;
}

export interface OriginClient {
  fetch(f: OriginFetch): Promise<OriginAnswer>;
  close(): Promise<void>;
}

/**
 * An origin failure as one of our codes, by the error's `code` (undici's UND_ERR_*, llhttp's HPE_*,
 * Node's system errors). An undici HTTPParserError may carry no code at all: it is then named by class.
 */
export function classifyOriginError(err: unknown, where: string): EdgeError {
  const raw = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  const code = typeof raw === 'string' ? raw : '';
  const msg = err instanceof Error ? (code === '' && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message) : String(err);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EdgeError('OriginDnsError', `cannot resolve origin ${where}: ${msg}`, { stage: 'origin-fetch', cause: err });
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return new EdgeError('OriginTimeout', `origin ${where} did not answer in time (${code})`, { stage: 'origin-fetch', cause: err });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new EdgeError('OriginConnectError', `cannot connect to origin ${where}: ${code} ${msg}`, { stage: 'origin-fetch', cause: err });
    default:
      return new EdgeError('OriginResponseError', `origin ${where} failed: ${code ? `${code} ` : ''}${msg}`, { stage: 'origin-fetch', cause: err });
  }
}

/** Where body chunks go once a consumer has attached. */
interface Consumer {
  data(chunk: Buffer): boolean;
  end(): void;
  fail(err: Error): void;
}

const DISCARD_LIMIT = 64 * 1024;

/** One origin exchange as an undici (legacy-interface) dispatch handler. */
class Exchange implements OriginBody, Dispatcher.DispatchHandler {
  private abortFn: ((err?: Error) => void) | undefined;
  private resumeFn: (() => void) | undefined;
  private consumer: Consumer | undefined;
  private headersSeen = false;
  private continues = 0;
  private done = false;
  /** Set when the body ended or failed before a consumer attached. */
  private early: { err: Error | undefined } | undefined;
  private readonly pending: Buffer[] = [];

  constructor(
    private readonly where: string,
    private readonly onAnswer: (a: OriginAnswer) => void,
    private readonly onFailure: (e: EdgeError) => void,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) {
      // 1xx: interim, the real answer follows (RFC 9110 §15.2). CloudFront takes one 100 Continue and
      // fails on a second (docs/cloudfront-reference.md §6.13).
      if (status === CONTINUE_STAND_IN && ++this.continues > 1) this.abortFn?.(new Error('the origin sent more than one 100 Continue'));
      return true;
    }
    this.headersSeen = true;
    this.resumeFn = resume;
    const rawHeaders: string[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) rawHeaders[i] = (raw[i] as Buffer).toString('latin1');
    this.onAnswer({ status, statusText, rawHeaders, body: this });
    // Paused until a consumer attaches (after origin-response has decided what to do with the body).
    return this.consumer !== undefined;
  }

  onData(chunk: Buffer): boolean {
    if (this.consumer) return this.consumer.data(chunk);
    this.pending.push(chunk);
    return false;
  }

  onComplete(): void {
    if (completingOnReset()) {
      // A body delimited by the connection's close, ended by a reset: cut, not complete (undici-hooks.ts).
      this.onError(Object.assign(new Error('the origin reset the connection inside a body delimited by its close'), { code: 'ECONNRESET' }));
      return;
    }
    this.done = true;
    if (this.consumer) this.consumer.end();
    else this.early = { err: undefined };
  }

  onError(err: Error): void {
    this.done = true;
    if (!this.headersSeen) {
      this.onFailure(classifyOriginError(err, this.where));
      return;
    }
    const e = classifyOriginError(err, this.where);
    if (this.consumer) this.consumer.fail(e);
    else this.early = { err: e };
  }

  private attach(c: Consumer): void {
    if (this.consumer) throw new Error('origin body consumed twice');
    this.consumer = c;
    for (const chunk of this.pending.splice(0)) c.data(chunk);
    if (this.early) {
      if (this.early.err) c.fail(this.early.err);
      else c.end();
      return;
    }
    this.resumeFn?.();
  }

  pipeTo(sink: Writable, onChunk?: (chunk: Buffer) => void, length?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let ended = false;
      const onClose = (): void => {
        // The viewer went away before the end: stop reading from the origin.
        if (!this.done) this.abortFn?.(new Error('viewer closed the connection'));
        reject(new Error('viewer closed the connection'));
      };
      sink.once('close', onClose);
      this.attach({
        data: (chunk) => {
          onChunk?.(chunk);
          if (!ended && chunk.length === length) {
            // The whole body in one piece: one write for head and body.
            ended = true;
            sink.end(chunk);
            return true;
          }
          if (sink.write(chunk)) return true;
          sink.once('drain', () => this.resumeFn?.());
          return false;
        },
        end: () => {
          sink.off('close', onClose);
          if (!ended) sink.end();
          resolve();
        },
        fail: (err) => {
          sink.off('close', onClose);
          sink.destroy(err);
          reject(err);
        },
      });
    });
  }

  collect(limit: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let n = 0;
      this.attach({
        data: (chunk) => {
          n += chunk.length;
          if (n > limit) {
            this.abortFn?.(new Error('origin body over the size limit'));
            resolve(undefined);
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        end: () => resolve(Buffer.concat(chunks, n)),
        fail: () => resolve(undefined),
      });
    });
  }

  discard(): void {
    if (this.consumer) return;
    let n = 0;
    this.attach({
      data: (chunk) => {
        n += chunk.length;
        if (n > DISCARD_LIMIT) {
          this.abortFn?.(new Error('origin body not wanted'));
          return false;
        }
        return true;
      },
      end: () => {},
      fail: () => {},
    });
  }
}

export function createOriginClient(log: Pick<Logger, 'warn'> = { warn: () => {} }): OriginClient {
  installUndiciHooks(log);
  const pools = new Map<string, { pool: Pool; base: string }>();

  function poolFor(f: OriginFetch): { pool: Pool; base: string } {
    const t = f.target;
    const key = `${t.protocol}://${t.domainName}:${t.port}|${f.connectTimeoutMs}|${f.keepaliveTimeoutMs}`;
    let p = pools.get(key);
    if (!p) {
      const base = `${t.protocol}://${t.domainName}:${t.port}`;
      p = {
        base,
        pool: new Pool(base, {
          connectTimeout: f.connectTimeoutMs,
          keepAliveTimeout: f.keepaliveTimeoutMs,
          keepAliveMaxTimeout: Math.max(f.keepaliveTimeoutMs, 1000),
          pipelining: 1,
          // CloudFront's cap on an origin response's headers (docs/cloudfront-reference.md §3.5 [C]);
          // undici's own default is 16 KiB.
          maxHeaderSize: MAX_ORIGIN_RESPONSE_HEADER_BYTES,
        }),
      };
      pools.set(key, p);
    }
    return p;
  }

  return {
    fetch(f) {
      const { pool, base } = poolFor(f);
      return new Promise<OriginAnswer>((resolve, reject) => {
        const handler = new Exchange(base, resolve, reject);
        pool.dispatch(
          {
            path: f.path,
            method: f.method as Dispatcher.HttpMethod,
            headers: f.headers,
            body: f.body,
            headersTimeout: f.readTimeoutMs,
            bodyTimeout: f.readTimeoutMs,
          },
          handler,
        );
      });
    },
    async close() {
      await Promise.all([...pools.values()].map(({ pool }) => pool.close().catch(() => pool.destroy())));
      pools.clear();
    },
  };
}
