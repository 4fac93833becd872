// The inspector's state for one edgeproxy run (docs/inspector.md): the bounded ring of finished
// exchanges, the captures still running, the live subscribers (the page's event stream), and the tap
// that files the functions' log lines (START/END/REPORT and console lines) under their exchange. It
// exists only when capture is on: with it off, the pipeline sees `env.inspector === undefined` and
// does nothing for it.

import type { LogFields, Logger } from '../log.js';
import { ExchangeCapture, type Finish, StoredExchange } from './capture.js';
import type { ExchangeSummary } from './record.js';
import { BoundedRing } from './ring.js';

interface InspectorSettings {
  /** Exchanges kept (oldest dropped first). */
  readonly maxExchanges: number;
  /** Bytes of captures kept, estimated. */
  readonly maxBytes: number;
  /** Bytes of each body kept (request, response); the full size is noted. */
  readonly bodyBytes: number;
}

export type InspectorEvent = { readonly type: 'exchange'; readonly summary: ExchangeSummary } | { readonly type: 'clear' };

export interface ListFilter {
  /** Substring of the target (case-insensitive). */
  readonly path?: string | undefined;
  /** `2`, `3`, `4`, `5`: the status class. */
  readonly statusClass?: number | undefined;
  /** X-Cache value (without " from cloudfront"), case-insensitive. */
  readonly xCache?: string | undefined;
  readonly hasError?: boolean | undefined;
  readonly limit?: number | undefined;
}

export class Inspector {
  private readonly ring: BoundedRing<StoredExchange>;
  private nextId = 1;
  /** Running captures by CloudFront request id (START/END/REPORT lines carry it as cfRequestId). */
  private readonly running = new Map<string, ExchangeCapture>();
  /** Running captures by a function run's awsRequestId (its console lines carry that). */
  private readonly byAwsId = new Map<string, ExchangeCapture>();
  private readonly subscribers = new Set<(e: InspectorEvent) => void>();
  /** The TTL rule text of entries stored while capturing, for the hits they later serve. */
  readonly ttlRules = new WeakMap<object, string>();
  /** The viewer listener's URL, for replay (set once it listens). */
  viewerUrl: string | undefined;

  constructor(readonly settings: InspectorSettings) {
    this.ring = new BoundedRing(settings.maxExchanges, settings.maxBytes);
  }

  begin(requestId: string, replayOf: string | undefined): ExchangeCapture {
    const c = new ExchangeCapture(String(this.nextId++), requestId, Date.now(), replayOf, this.settings.bodyBytes);
    this.running.set(requestId, c);
    return c;
  }

  end(c: ExchangeCapture, f: Finish): StoredExchange {
    if (this.running.get(c.requestId) === c) this.running.delete(c.requestId);
    for (const fn of c.functions) if (fn.awsRequestId !== undefined) this.byAwsId.delete(fn.awsRequestId);
    const stored = new StoredExchange(c, f);
    this.ring.push(stored, c.bytes());
    if (this.subscribers.size > 0) {
      const e: InspectorEvent = { type: 'exchange', summary: stored.summary };
      for (const s of this.subscribers) s(e);
    }
    return stored;
  }

  list(f: ListFilter = {}): ExchangeSummary[] {
    const path = f.path?.toLowerCase();
    const xCache = f.xCache?.toLowerCase();
    const out: ExchangeSummary[] = [];
    for (const s of this.ring.newestFirst()) {
      const r = s.summary;
      if (path !== undefined && !r.target.toLowerCase().includes(path)) continue;
      if (f.statusClass !== undefined && Math.floor(r.status / 100) !== f.statusClass) continue;
      if (xCache !== undefined && (r.xCache ?? '').toLowerCase() !== xCache) continue;
      if (f.hasError !== undefined && r.hasError !== f.hasError) continue;
      out.push(r);
      if (f.limit !== undefined && out.length >= f.limit) break;
    }
    return out;
  }

  /** Newest first. */
  all(): StoredExchange[] {
    return this.ring.newestFirst();
  }

  get(id: string): StoredExchange | undefined {
    return this.ring.find((s) => s.id === id);
  }

  byRequestId(requestId: string): StoredExchange | undefined {
    return this.ring.find((s) => s.requestId === requestId);
  }

  stats(): { exchanges: number; bytes: number; maxExchanges: number; maxBytes: number; bodyBytes: number } {
    return { exchanges: this.ring.size, bytes: this.ring.bytes, maxExchanges: this.settings.maxExchanges, maxBytes: this.settings.maxBytes, bodyBytes: this.settings.bodyBytes };
  }

  clear(): void {
    this.ring.clear();
    for (const s of this.subscribers) s({ type: 'clear' });
  }

  subscribe(fn: (e: InspectorEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Waits (up to `ms`) for the exchange with this CloudFront request id to finish. */
  waitFor(requestId: string, ms: number): Promise<StoredExchange | undefined> {
    const now = this.byRequestId(requestId);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.byRequestId(requestId));
      }, ms);
      const off = this.subscribe((e) => {
        if (e.type !== 'exchange' || e.summary.requestId !== requestId) return;
        clearTimeout(timer);
        off();
        resolve(this.byRequestId(requestId));
      });
    });
  }

  /**
   * The logger the function runtime writes to while capturing: every line still goes to `base`, and
   * the functions' lines are filed under their exchange. When `base` drops info lines the runtime
   * builds none (no cost for the capture either); the record then shows START / END / REPORT made
   * from the run's own facts.
   */
  logTap(base: Logger): Logger {
    const look = (msg: string, fields: LogFields | undefined): void => {
      if (fields === undefined || this.running.size === 0) return;
      const type = fields.type;
      if (type !== 'platform' && type !== 'function') return;
      const cf = typeof fields.cfRequestId === 'string' ? fields.cfRequestId : undefined;
      const aws = typeof fields.requestId === 'string' ? fields.requestId : undefined;
      let c = cf === undefined ? undefined : this.running.get(cf);
      if (c !== undefined && aws !== undefined && fields.event === 'start') this.byAwsId.set(aws, c);
      if (c === undefined && aws !== undefined) c = this.byAwsId.get(aws);
      if (c === undefined) return;
      const trigger = fields.trigger;
      const fnId = fields.function;
      // The newest run of that function at that trigger in this exchange.
      for (let i = c.functions.length - 1; i >= 0; i--) {
        const f = c.functions[i];
        if (f === undefined || f.functionId !== fnId || (trigger !== undefined && f.trigger !== trigger)) continue;
        if (aws !== undefined && f.awsRequestId === undefined && fields.event === 'start') f.awsRequestId = aws;
        f.logs.push(msg);
        return;
      }
    };
    return {
      quietInfo: base.quietInfo === true,
      info: (msg, fields) => {
        base.info(msg, fields);
        look(msg, fields);
      },
      warn: (msg, fields) => {
        base.warn(msg, fields);
        look(msg, fields);
      },
      error: (msg, fields) => {
        base.error(msg, fields);
        look(msg, fields);
      },
    };
  }
}
