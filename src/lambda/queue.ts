// The asynchronous invocation queue (InvocationType `Event`), in process, with Lambda's semantics
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html, invocation-retries.html):
// - the caller's 202 comes first; events then wait for capacity: a throttled attempt goes back to the
//   queue with exponential backoff from 1 s up to 5 minutes, without using up a retry;
// - a function error (thrown error, timeout, crash) is retried MaximumRetryAttempts times (default 2),
//   about 1 minute after the first attempt and 2 minutes after the second;
// - an event older than MaximumEventAgeInSeconds (default 6 hours) is not tried again;
// - reserved concurrency 0: events go to the failure targets at once, without attempts;
// - on final failure: on-failure destination and/or dead-letter queue (destinations.ts).
// Every delay is multiplied by `timeScale`, and time comes from an injectable Scheduler. Events live
// in memory only: they survive nothing more than the process (docs/lambda-api.md).

import type { Logger } from '../log.js';
import type { Delivery, EventFacts, FailureFacts } from './destinations.js';
import type { InvocationResult, Invoker } from './invoke.js';
import { LATEST, RETRY_DELAYS_MS, THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS } from './limits.js';
import type { AsyncMetrics } from './metrics.js';
import type { FunctionRef } from './names.js';
import type { Routing } from './routing.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

type Phase = 'waiting' | 'running' | 'done';

/** One queued event's life. */
class QueuedEvent {
  phase: Phase = 'waiting';
  /** Attempts that ran the function and failed (what MaximumRetryAttempts bounds). */
  failures = 0;
  /** Attempts that ran the function at all (the record's approximateInvokeCount). */
  invokeCount = 0;
  /** The next throttle backoff, 0 before the first throttle. */
  backoffMs = 0;
  timer: TimerHandle | undefined;
  /** What the last attempt said, for the failure record. */
  last: FailureFacts | undefined;
  constructor(
    readonly requestId: string,
    readonly ref: FunctionRef,
    readonly payload: string,
    readonly receivedAt: number,
  ) {}

  get invoked(): string {
    return this.ref.qualifier ?? LATEST;
  }

  facts(): EventFacts {
    return { requestId: this.requestId, functionName: this.ref.name, invoked: this.invoked, payload: this.payload, approximateInvokeCount: this.invokeCount };
  }
}

/** When an attempt ran, and what it gave: for tests and the log (bounded: the last ATTEMPT_LOG attempts). */
interface AttemptRecord {
  requestId: string;
  functionName: string;
  /** Scheduler time the attempt started. */
  at: number;
  /** `running` until the attempt ends. */
  result: InvocationResult['kind'] | 'running';
}

const ATTEMPT_LOG = 1_000;

interface QueueOptions {
  routing: Routing;
  invoker: Invoker;
  delivery: Delivery;
  metrics: AsyncMetrics;
  scheduler: Scheduler;
  /** Multiplies every delay and the maximum event age (1 = Lambda's timing). */
  timeScale: number;
  log: Logger;
}

export class AsyncQueue {
  private readonly events = new Set<QueuedEvent>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  /** The last attempts, oldest first. */
  readonly attempts: AttemptRecord[] = [];

  constructor(private readonly o: QueueOptions) {}

  /** Accepts an event (the caller already got its 202). */
  accept(ref: FunctionRef, payload: string, requestId: string): void {
    const ev = new QueuedEvent(requestId, ref, payload, this.o.scheduler.now());
    this.o.metrics.eventReceived(ref.name);
    if (this.closed) {
      this.o.log.warn(`edgeproxy: lambda: async event ${requestId} for ${ref.name} arrived while shutting down; dropped`);
      return;
    }
    this.events.add(ev);
    this.o.metrics.queued(ref.name, 1);
    this.wait(ev, 0);
  }

  /** Events not finished (waiting or running). */
  size(): number {
    return this.events.size;
  }

  private wait(ev: QueuedEvent, ms: number): void {
    ev.phase = 'waiting';
    ev.timer = this.o.scheduler.after(ms, () => {
      ev.timer = undefined;
      const p = this.attempt(ev).catch((e: unknown) => {
        this.o.log.error(`edgeproxy: lambda: async event ${ev.requestId} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
        this.finish(ev);
      });
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    });
  }

  private expiresAt(ev: QueuedEvent): number {
    const s = this.o.routing.asyncSettings(ev.ref.name, ev.invoked);
    return ev.receivedAt + s.maximumEventAgeSeconds * 1000 * this.o.timeScale;
  }

  private async attempt(ev: QueuedEvent): Promise<void> {
    if (this.closed) return;
    const { routing, scheduler, timeScale } = this.o;
    const settings = routing.asyncSettings(ev.ref.name, ev.invoked);
    const now = scheduler.now();
    if (now >= this.expiresAt(ev)) {
      await this.fail(ev, { ...(ev.last ?? throttleFacts(LATEST, 'the event expired before it could run')), condition: 'EventAgeExceeded' });
      return;
    }
    // Reserved concurrency 0: the function is off; Lambda sends its events on without retries.
    if (routing.has(ev.ref.name) && routing.reservedConcurrency(ev.ref.name) === 0) {
      await this.fail(ev, { ...throttleFacts(LATEST, 'Rate Exceeded.'), condition: 'RetriesExhausted' });
      return;
    }
    let result: InvocationResult;
    ev.phase = 'running';
    this.o.metrics.queued(ev.ref.name, -1);
    try {
      const target = routing.target(ev.ref);
      this.o.metrics.eventAttempt(ev.ref.name, now - ev.receivedAt);
      const record = this.note(ev, now);
      result = await this.o.invoker.run(target, ev.payload, ev.requestId);
      record.result = result.kind;
    } catch (e) {
      // The function, version or alias is gone (an alias deleted after the event was accepted).
      const message = e instanceof Error ? e.message : String(e);
      await this.fail(ev, { condition: 'RetriesExhausted', statusCode: 404, version: LATEST, functionError: undefined, errorMessage: message, responsePayload: undefined });
      return;
    }
    if (this.closed && result.kind !== 'ok') return;
    switch (result.kind) {
      case 'ok':
        ev.invokeCount++;
        this.finish(ev);
        await this.o.delivery.succeeded(ev.facts(), settings, result.version, JSON.parse(result.body) as unknown);
        return;
      case 'throttled':
      case 'unavailable': {
        // Throttles and system errors do not use up a retry: back off and wait for capacity.
        ev.backoffMs = ev.backoffMs === 0 ? THROTTLE_BACKOFF_MIN_MS : Math.min(THROTTLE_BACKOFF_MAX_MS, ev.backoffMs * 2);
        // The record of an event that never ran says why; one that ran keeps its last function error.
        if (ev.invokeCount === 0) ev.last = throttleFacts(LATEST, result.message);
        this.retryAfter(ev, ev.backoffMs * timeScale);
        return;
      }
      case 'function-error': {
        ev.invokeCount++;
        ev.failures++;
        ev.last = {
          condition: 'RetriesExhausted',
          statusCode: 200,
          version: result.version,
          functionError: 'Unhandled',
          errorMessage: result.error.errorMessage,
          responsePayload: result.error,
        };
        if (ev.failures > settings.maximumRetryAttempts) {
          await this.fail(ev, ev.last);
          return;
        }
        const delay = RETRY_DELAYS_MS[ev.failures - 1] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1] ?? 0;
        this.retryAfter(ev, delay * timeScale);
        return;
      }
      default: {
        const never: never = result;
        void never;
      }
    }
  }

  /** Waits `ms`, or until the event's age runs out if that comes first (then it fails as too old). */
  private retryAfter(ev: QueuedEvent, ms: number): void {
    this.o.metrics.queued(ev.ref.name, 1);
    const left = this.expiresAt(ev) - this.o.scheduler.now();
    this.wait(ev, Math.max(0, Math.min(ms, left)));
  }

  private note(ev: QueuedEvent, at: number): AttemptRecord {
    const r: AttemptRecord = { requestId: ev.requestId, functionName: ev.ref.name, at, result: 'running' };
    this.attempts.push(r);
    if (this.attempts.length > ATTEMPT_LOG) this.attempts.splice(0, this.attempts.length - ATTEMPT_LOG);
    return r;
  }

  /** Where an event is: `waiting` (for its first attempt or a retry), `running`, or undefined once done. */
  phase(requestId: string): 'waiting' | 'running' | undefined {
    for (const ev of this.events) if (ev.requestId === requestId) return ev.phase === 'done' ? undefined : ev.phase;
    return undefined;
  }

  private async fail(ev: QueuedEvent, f: FailureFacts): Promise<void> {
    if (ev.phase === 'waiting') this.o.metrics.queued(ev.ref.name, -1);
    this.finish(ev);
    this.o.log.warn(`edgeproxy: lambda: async event ${ev.requestId} for ${ev.ref.name} failed for good (${f.condition} after ${ev.invokeCount} attempt${ev.invokeCount === 1 ? '' : 's'}): ${f.errorMessage}`);
    await this.o.delivery.failed(ev.facts(), this.o.routing.asyncSettings(ev.ref.name, ev.invoked), f);
  }

  private finish(ev: QueuedEvent): void {
    ev.phase = 'done';
    ev.timer?.cancel();
    ev.timer = undefined;
    this.events.delete(ev);
  }

  /**
   * Stops taking events, waits up to `graceMs` for attempts in flight, and returns (and logs) the
   * events it drops: everything still waiting for an attempt or a retry.
   */
  async close(graceMs: number): Promise<{ dropped: string[] }> {
    this.closed = true;
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    const dropped: string[] = [];
    for (const ev of this.events) {
      ev.timer?.cancel();
      dropped.push(ev.requestId);
    }
    this.events.clear();
    if (dropped.length > 0) {
      const shown = dropped.slice(0, 10).join(', ');
      this.o.log.warn(`edgeproxy: lambda: shutting down with ${dropped.length} async event${dropped.length === 1 ? '' : 's'} still queued; dropped: ${shown}${dropped.length > 10 ? ', …' : ''}`);
    }
    return { dropped };
  }
}

function throttleFacts(version: string, message: string): FailureFacts {
  return { condition: 'RetriesExhausted', statusCode: 429, version, functionError: undefined, errorMessage: message, responsePayload: undefined };
}
