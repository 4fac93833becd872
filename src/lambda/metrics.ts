// Lambda's metrics beyond the runtime's own (observe/metrics.ts has Invocations, Errors, Throttles,
// Duration, ConcurrentExecutions): UnreservedConcurrentExecutions and the asynchronous invocation
// metrics AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, DeadLetterErrors and
// DestinationDeliveryFailures (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
// Served on the admin listener's /metrics next to the others. O(1) counters; derived values at scrape.

import { type DurationSummary, Histogram } from '../observe/histogram.js';
import type { RuntimeMetrics } from '../observe/metrics.js';
import type { MetricsSource } from '../observe/types.js';

class AsyncSeries {
  received = 0;
  dropped = 0;
  deadLetterErrors = 0;
  destinationDeliveryFailures = 0;
  /** Events waiting in the queue now (not yet running). */
  queued = 0;
  readonly age = new Histogram();
}

interface AsyncMetricsSnapshot {
  FunctionName: string;
  AsyncEventsReceived: number;
  /** Milliseconds from queueing to each invocation attempt. */
  AsyncEventAge: DurationSummary;
  AsyncEventsDropped: number;
  DeadLetterErrors: number;
  DestinationDeliveryFailures: number;
  /** edgeproxy's own: events in the queue, not yet running. */
  QueuedEvents: number;
}

interface LambdaMetricsSnapshot {
  UnreservedConcurrentExecutions: { current: number; max: number };
  async: AsyncMetricsSnapshot[];
}

/** What the async queue records. */
export interface AsyncMetrics {
  eventReceived(fn: string): void;
  /** An attempt starts: the event's age now. */
  eventAttempt(fn: string, ageMs: number): void;
  eventDropped(fn: string): void;
  deadLetterError(fn: string): void;
  destinationDeliveryFailure(fn: string): void;
  queued(fn: string, delta: number): void;
}

export class LambdaMetrics implements AsyncMetrics {
  private readonly series = new Map<string, AsyncSeries>();
  private unreservedCurrent = 0;
  private unreservedMax = 0;
  /** Per function: in-flight invocations counted as unreserved, so a reservation changed mid-flight still balances. */
  private readonly unreservedByFn = new Map<string, number>();

  constructor(private readonly isReserved: (functionId: string) => boolean) {}

  private s(fn: string): AsyncSeries {
    let s = this.series.get(fn);
    if (s === undefined) {
      s = new AsyncSeries();
      this.series.set(fn, s);
    }
    return s;
  }

  eventReceived(fn: string): void {
    this.s(fn).received++;
  }
  eventAttempt(fn: string, ageMs: number): void {
    this.s(fn).age.record(ageMs);
  }
  eventDropped(fn: string): void {
    this.s(fn).dropped++;
  }
  deadLetterError(fn: string): void {
    this.s(fn).deadLetterErrors++;
  }
  destinationDeliveryFailure(fn: string): void {
    this.s(fn).destinationDeliveryFailures++;
  }
  queued(fn: string, delta: number): void {
    const s = this.s(fn);
    s.queued = Math.max(0, s.queued + delta);
  }

  /**
   * The runtime's recorder with UnreservedConcurrentExecutions counted on the way through: one Map
   * lookup per start and end of an invocation.
   */
  tap(inner: RuntimeMetrics): RuntimeMetrics {
    return {
      recordInvocationStart: (functionId, version) => {
        if (!this.isReserved(functionId)) {
          this.unreservedByFn.set(functionId, (this.unreservedByFn.get(functionId) ?? 0) + 1);
          if (++this.unreservedCurrent > this.unreservedMax) this.unreservedMax = this.unreservedCurrent;
        }
        inner.recordInvocationStart(functionId, version);
      },
      recordInvocationEnd: (functionId, version, durationMs, failed) => {
        const n = this.unreservedByFn.get(functionId) ?? 0;
        if (n > 0) {
          this.unreservedByFn.set(functionId, n - 1);
          this.unreservedCurrent--;
        }
        inner.recordInvocationEnd(functionId, version, durationMs, failed);
      },
      recordThrottle: (functionId, version) => inner.recordThrottle(functionId, version),
    };
  }

  snapshot(): LambdaMetricsSnapshot {
    const async: AsyncMetricsSnapshot[] = [...this.series]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([fn, s]) => ({
        FunctionName: fn,
        AsyncEventsReceived: s.received,
        AsyncEventAge: s.age.summary(),
        AsyncEventsDropped: s.dropped,
        DeadLetterErrors: s.deadLetterErrors,
        DestinationDeliveryFailures: s.destinationDeliveryFailures,
        QueuedEvents: s.queued,
      }));
    return { UnreservedConcurrentExecutions: { current: this.unreservedCurrent, max: this.unreservedMax }, async };
  }

  prometheus(): string {
    const snap = this.snapshot();
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => void out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const label = (fn: string): string => `{function_name="${fn.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"}`;
    family('edgeproxy_lambda_unreserved_concurrent_executions', 'gauge', 'Lambda UnreservedConcurrentExecutions: invocations in flight of functions without reserved concurrency.');
    out.push(`edgeproxy_lambda_unreserved_concurrent_executions ${snap.UnreservedConcurrentExecutions.current}`);
    family('edgeproxy_lambda_unreserved_concurrent_executions_max', 'gauge', 'Most unreserved invocations in flight at once since start.');
    out.push(`edgeproxy_lambda_unreserved_concurrent_executions_max ${snap.UnreservedConcurrentExecutions.max}`);
    const counters: Array<[string, string, string, (a: AsyncMetricsSnapshot) => number]> = [
      ['edgeproxy_lambda_async_events_received_total', 'counter', 'Lambda AsyncEventsReceived: events queued for asynchronous invocation.', (a) => a.AsyncEventsReceived],
      ['edgeproxy_lambda_async_events_dropped_total', 'counter', 'Lambda AsyncEventsDropped: events dropped without a successful invocation (retries exhausted, too old, reserved concurrency 0).', (a) => a.AsyncEventsDropped],
      ['edgeproxy_lambda_dead_letter_errors_total', 'counter', 'Lambda DeadLetterErrors: events that could not be sent to the dead-letter queue.', (a) => a.DeadLetterErrors],
      ['edgeproxy_lambda_destination_delivery_failures_total', 'counter', 'Lambda DestinationDeliveryFailures: invocation records that could not be sent to a destination.', (a) => a.DestinationDeliveryFailures],
      ['edgeproxy_lambda_async_queued_events', 'gauge', 'Events waiting in the asynchronous queue (not yet running).', (a) => a.QueuedEvents],
    ];
    for (const [name, type, help, get] of counters) {
      family(name, type, help);
      for (const a of snap.async) out.push(`${name}${label(a.FunctionName)} ${get(a)}`);
    }
    family('edgeproxy_lambda_async_event_age_ms', 'summary', 'Lambda AsyncEventAge in milliseconds: from queueing to each invocation attempt.');
    for (const a of snap.async) {
      const l = label(a.FunctionName).slice(1, -1);
      const d = a.AsyncEventAge;
      for (const [q, v] of [['0.5', d.p50], ['0.9', d.p90], ['0.99', d.p99]] as const) out.push(`edgeproxy_lambda_async_event_age_ms{${l},quantile="${q}"} ${v === null ? 'NaN' : v}`);
      out.push(`edgeproxy_lambda_async_event_age_ms_sum{${l}} ${d.sum}`, `edgeproxy_lambda_async_event_age_ms_count{${l}} ${d.count}`);
    }
    return `${out.join('\n')}\n`;
  }

  /** The runtime's and distribution's metrics with these added: what /metrics serves. */
  combine(base: MetricsSource): MetricsSource {
    return {
      prometheus: () => base.prometheus() + this.prometheus(),
      json: () => {
        const b = base.json();
        const mine = this.snapshot();
        if (typeof b !== 'object' || b === null) return { lambdaApi: mine };
        const lambda = (b as { lambda?: unknown }).lambda;
        const merged = typeof lambda === 'object' && lambda !== null ? { ...lambda, ...mine } : mine;
        return { ...b, lambda: merged };
      },
    };
  }
}
