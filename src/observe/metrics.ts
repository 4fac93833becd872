// CloudWatch-style metrics for the functions (AWS/Lambda) and the distribution (AWS/CloudFront), docs/cloudfront-reference.md §9.4.
// Recording is on the hot path: plain counters in objects made once per function and version, a
// fixed-bucket histogram per series, no allocation per call. Everything derived (rates, percentiles)
// is computed only when someone scrapes /metrics.

import { type DurationSummary, Histogram, round3 } from './histogram.js';
import type { MetricsSource } from './types.js';

// ---- the snapshot (what json() returns) ----

interface FunctionMetricsSnapshot {
  FunctionName: string;
  ExecutedVersion: string;
  /** Completed invocations, function errors included, throttles excluded (docs/cloudfront-reference.md §9.4). */
  Invocations: number;
  /** Invocations that ended in an error, a timeout or a crash. */
  Errors: number;
  Throttles: number;
  Duration: DurationSummary;
  /** Invocations admitted and not yet finished (running or waiting for a worker), and the most at once. */
  ConcurrentExecutions: { current: number; max: number };
}

/** One CloudFront Function's metrics, named as CloudWatch names them (AWS/CloudFront namespace). */
interface CffFunctionMetricsSnapshot {
  FunctionName: string;
  FunctionInvocations: number;
  FunctionValidationErrors: number;
  FunctionExecutionErrors: number;
  FunctionThrottles: number;
  /** 0–100 per run (edgeproxy's compute model, docs/cloudfront-reference.md §30). */
  FunctionComputeUtilization: DurationSummary;
}

interface MetricsSnapshot {
  cloudfrontFunctions: { functions: CffFunctionMetricsSnapshot[] };
  lambda: {
    account: { ConcurrentExecutions: { current: number; max: number }; Throttles: number };
    functions: FunctionMetricsSnapshot[];
  };
  cloudfront: {
    DistributionId: string;
    Requests: number;
    /** Bytes sent to viewers for GET, HEAD and OPTIONS requests (headers included). */
    BytesDownloaded: number;
    /** Request-body bytes from viewers for POST and PUT requests. */
    BytesUploaded: number;
    /** Percentages of all requests; null before the first request. */
    '4xxErrorRate': number | null;
    '5xxErrorRate': number | null;
    TotalErrorRate: number | null;
    /** Hit + RefreshHit over Hit + RefreshHit + Miss, in percent; null when nothing cacheable was asked. */
    CacheHitRate: number | null;
    /** Time until the origin's response headers, for requests the origin served. */
    OriginLatency: DurationSummary;
    LambdaExecutionError: number;
    LambdaValidationError: number;
    LambdaLimitExceededErrors: number;
    /** Responses per status code. */
    statusCodes: Record<string, number>;
  };
}

// ---- the recorder ----

/** What the function runtime records. Every method is O(1) and allocation-free once a series exists. */
export interface RuntimeMetrics {
  /** An invocation was admitted (it counts toward ConcurrentExecutions until recordInvocationEnd). */
  recordInvocationStart(functionId: string, version: string): void;
  /** An admitted invocation ended; `failed` for error, timeout and crash outcomes. */
  recordInvocationEnd(functionId: string, version: string, durationMs: number, failed: boolean): void;
  /** An invocation refused by a concurrency limit: a Throttle, not an Invocation (docs/cloudfront-reference.md §9.2). */
  recordThrottle(functionId: string, version: string): void;
}

/** What the pipeline records for each CloudFront Function run. */
export interface CffMetrics {
  /**
   * A run (or a refusal): `throttled` is not an invocation; `utilization` is absent when the run did not
   * finish (timeout, crash).
   */
  recordCffRun(functionName: string, result: 'ok' | 'validation' | 'execution' | 'throttled', utilization: number | undefined): void;
}

/** What the pipeline records, once per viewer request when its response has ended. */
export interface RequestMetrics {
  /**
   * @param xCache the X-Cache value before " from cloudfront"
   * @param bytesOut bytes written to the viewer, headers included
   * @param bytesIn request-body bytes received from the viewer
   * @param originLatencyMs time to the origin's response headers, or a negative number when the origin was not asked
   */
  recordRequest(method: string, status: number, xCache: string, bytesOut: number, bytesIn: number, originLatencyMs: number): void;
}

export interface Metrics extends MetricsSource, RuntimeMetrics, RequestMetrics, CffMetrics {
  /** The numbers as typed data (json() returns this). */
  snapshot(): MetricsSnapshot;
}

class FunctionSeries {
  invocations = 0;
  errors = 0;
  throttles = 0;
  current = 0;
  max = 0;
  readonly duration = new Histogram();
  constructor(
    readonly functionId: string,
    readonly version: string,
  ) {}
}

class CffSeries {
  invocations = 0;
  validation = 0;
  execution = 0;
  throttles = 0;
  readonly utilization = new Histogram();
}

/** Status codes CloudFront publishes their own error rate for, plus the common ones; others go to "other". */
const STATUS_SLOTS = [200, 204, 206, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 413, 416, 429, 500, 502, 503, 504] as const;
const STATUS_INDEX: ReadonlyMap<number, number> = new Map(STATUS_SLOTS.map((s, i) => [s, i]));

class Recorder implements Metrics {
  private readonly byFunction = new Map<string, Map<string, FunctionSeries>>();
  private readonly byCff = new Map<string, CffSeries>();
  private accountCurrent = 0;
  private accountMax = 0;
  private accountThrottles = 0;

  private requests = 0;
  private bytesDownloaded = 0;
  private bytesUploaded = 0;
  private status4xx = 0;
  private status5xx = 0;
  private hits = 0;
  private misses = 0;
  private lambdaExecution = 0;
  private lambdaValidation = 0;
  private lambdaLimit = 0;
  private readonly statusCounts = new Float64Array(STATUS_SLOTS.length + 1);
  private readonly originLatency = new Histogram();

  constructor(private readonly distributionId: string) {}

  private series(functionId: string, version: string): FunctionSeries {
    let byVersion = this.byFunction.get(functionId);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.byFunction.set(functionId, byVersion);
    }
    let s = byVersion.get(version);
    if (s === undefined) {
      s = new FunctionSeries(functionId, version);
      byVersion.set(version, s);
    }
    return s;
  }

  recordInvocationStart(functionId: string, version: string): void {
    const s = this.series(functionId, version);
    if (++s.current > s.max) s.max = s.current;
    if (++this.accountCurrent > this.accountMax) this.accountMax = this.accountCurrent;
  }

  recordInvocationEnd(functionId: string, version: string, durationMs: number, failed: boolean): void {
    const s = this.series(functionId, version);
    if (s.current > 0) s.current--;
    if (this.accountCurrent > 0) this.accountCurrent--;
    s.invocations++;
    if (failed) s.errors++;
    s.duration.record(durationMs);
  }

  recordCffRun(functionName: string, result: 'ok' | 'validation' | 'execution' | 'throttled', utilization: number | undefined): void {
    let s = this.byCff.get(functionName);
    if (s === undefined) {
      s = new CffSeries();
      this.byCff.set(functionName, s);
    }
    if (result === 'throttled') {
      s.throttles++;
      return;
    }
    s.invocations++;
    if (result === 'validation') s.validation++;
    else if (result === 'execution') s.execution++;
    if (utilization !== undefined) s.utilization.record(utilization);
  }

  recordThrottle(functionId: string, version: string): void {
    this.series(functionId, version).throttles++;
    this.accountThrottles++;
  }

  recordRequest(method: string, status: number, xCache: string, bytesOut: number, bytesIn: number, originLatencyMs: number): void {
    this.requests++;
    // CloudFront's definitions (programming-cloudwatch-metrics): downloads for GET/HEAD/OPTIONS, uploads for POST/PUT.
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') this.bytesDownloaded += bytesOut;
    else if (method === 'POST' || method === 'PUT') this.bytesUploaded += bytesIn;
    if (status >= 500) this.status5xx++;
    else if (status >= 400) this.status4xx++;
    const slot = STATUS_INDEX.get(status) ?? STATUS_SLOTS.length;
    this.statusCounts[slot] = (this.statusCounts[slot] ?? 0) + 1;
    switch (xCache) {
      case 'Hit':
      case 'RefreshHit':
        this.hits++;
        break;
      case 'Miss':
        this.misses++;
        break;
      case 'LambdaExecutionError':
        this.lambdaExecution++;
        break;
      case 'LambdaValidationError':
        this.lambdaValidation++;
        break;
      case 'LambdaLimitExceeded':
        this.lambdaLimit++;
        break;
    }
    if (originLatencyMs >= 0) this.originLatency.record(originLatencyMs);
  }

  snapshot(): MetricsSnapshot {
    const functions: FunctionMetricsSnapshot[] = [];
    for (const byVersion of this.byFunction.values()) {
      for (const s of byVersion.values()) {
        functions.push({
          FunctionName: s.functionId,
          ExecutedVersion: s.version,
          Invocations: s.invocations,
          Errors: s.errors,
          Throttles: s.throttles,
          Duration: s.duration.summary(),
          ConcurrentExecutions: { current: s.current, max: s.max },
        });
      }
    }
    functions.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName) || a.ExecutedVersion.localeCompare(b.ExecutedVersion, undefined, { numeric: true }));
    const pct = (n: number, d: number): number | null => (d === 0 ? null : round3((100 * n) / d));
    const statusCodes: Record<string, number> = {};
    STATUS_SLOTS.forEach((code, i) => {
      const n = this.statusCounts[i] ?? 0;
      if (n > 0) statusCodes[String(code)] = n;
    });
    const other = this.statusCounts[STATUS_SLOTS.length] ?? 0;
    if (other > 0) statusCodes.other = other;
    const cff: CffFunctionMetricsSnapshot[] = [...this.byCff].map(([name, s]) => ({
      FunctionName: name,
      FunctionInvocations: s.invocations,
      FunctionValidationErrors: s.validation,
      FunctionExecutionErrors: s.execution,
      FunctionThrottles: s.throttles,
      FunctionComputeUtilization: s.utilization.summary(),
    }));
    cff.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    return {
      cloudfrontFunctions: { functions: cff },
      lambda: {
        account: { ConcurrentExecutions: { current: this.accountCurrent, max: this.accountMax }, Throttles: this.accountThrottles },
        functions,
      },
      cloudfront: {
        DistributionId: this.distributionId,
        Requests: this.requests,
        BytesDownloaded: this.bytesDownloaded,
        BytesUploaded: this.bytesUploaded,
        '4xxErrorRate': pct(this.status4xx, this.requests),
        '5xxErrorRate': pct(this.status5xx, this.requests),
        TotalErrorRate: pct(this.status4xx + this.status5xx, this.requests),
        CacheHitRate: pct(this.hits, this.hits + this.misses),
        OriginLatency: this.originLatency.summary(),
        LambdaExecutionError: this.lambdaExecution,
        LambdaValidationError: this.lambdaValidation,
        LambdaLimitExceededErrors: this.lambdaLimit,
        statusCodes,
      },
    };
  }

  json(): unknown {
    return this.snapshot();
  }

  prometheus(): string {
    return toPrometheus(this.snapshot());
  }
}

// ---- Prometheus text exposition format 0.0.4 ----

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'NaN';
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : '-Inf';
}

class Exposition {
  private readonly out: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'summary', help: string): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, labels: Record<string, string>, value: number | null): void {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    this.out.push(`${name}${l === '' ? '' : `{${l}}`} ${num(value)}`);
  }
  summary(name: string, labels: Record<string, string>, d: DurationSummary): void {
    for (const [q, v] of [['0.5', d.p50], ['0.9', d.p90], ['0.99', d.p99]] as const) this.sample(name, { ...labels, quantile: q }, v);
    this.sample(`${name}_sum`, labels, d.sum);
    this.sample(`${name}_count`, labels, d.count);
  }
  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

function toPrometheus(s: MetricsSnapshot): string {
  const e = new Exposition();
  const fnLabels = (f: FunctionMetricsSnapshot): Record<string, string> => ({ function_name: f.FunctionName, executed_version: f.ExecutedVersion });
  const perFunction: Array<[string, 'counter' | 'gauge', string, (f: FunctionMetricsSnapshot) => number]> = [
    ['edgeproxy_lambda_invocations_total', 'counter', 'Lambda Invocations: completed invocations, function errors included, throttles excluded.', (f) => f.Invocations],
    ['edgeproxy_lambda_errors_total', 'counter', 'Lambda Errors: invocations that threw, timed out or crashed.', (f) => f.Errors],
    ['edgeproxy_lambda_throttles_total', 'counter', 'Lambda Throttles: invocations refused by a concurrency limit.', (f) => f.Throttles],
    ['edgeproxy_lambda_concurrent_executions', 'gauge', 'Lambda ConcurrentExecutions: invocations in flight (running or waiting for a worker).', (f) => f.ConcurrentExecutions.current],
    ['edgeproxy_lambda_concurrent_executions_max', 'gauge', 'Most invocations in flight at once since start.', (f) => f.ConcurrentExecutions.max],
  ];
  for (const [name, type, help, get] of perFunction) {
    e.family(name, type, help);
    for (const f of s.lambda.functions) e.sample(name, fnLabels(f), get(f));
  }
  e.family('edgeproxy_lambda_duration_ms', 'summary', 'Lambda Duration in milliseconds (handler start to result).');
  for (const f of s.lambda.functions) e.summary('edgeproxy_lambda_duration_ms', fnLabels(f), f.Duration);
  e.family('edgeproxy_lambda_account_concurrent_executions', 'gauge', 'Invocations in flight across all functions.');
  e.sample('edgeproxy_lambda_account_concurrent_executions', {}, s.lambda.account.ConcurrentExecutions.current);
  e.family('edgeproxy_lambda_account_concurrent_executions_max', 'gauge', 'Most invocations in flight at once across all functions.');
  e.sample('edgeproxy_lambda_account_concurrent_executions_max', {}, s.lambda.account.ConcurrentExecutions.max);

  const cf = s.cloudfront;
  const d = { distribution_id: cf.DistributionId };
  const perDistribution: Array<[string, 'counter' | 'gauge', string, number | null]> = [
    ['edgeproxy_cloudfront_requests_total', 'counter', 'CloudFront Requests: viewer requests answered.', cf.Requests],
    ['edgeproxy_cloudfront_bytes_downloaded_total', 'counter', 'CloudFront BytesDownloaded: bytes sent to viewers for GET, HEAD and OPTIONS.', cf.BytesDownloaded],
    ['edgeproxy_cloudfront_bytes_uploaded_total', 'counter', 'CloudFront BytesUploaded: request-body bytes received for POST and PUT.', cf.BytesUploaded],
    ['edgeproxy_cloudfront_4xx_error_rate', 'gauge', 'CloudFront 4xxErrorRate: percent of all requests since start.', cf['4xxErrorRate']],
    ['edgeproxy_cloudfront_5xx_error_rate', 'gauge', 'CloudFront 5xxErrorRate: percent of all requests since start.', cf['5xxErrorRate']],
    ['edgeproxy_cloudfront_total_error_rate', 'gauge', 'CloudFront TotalErrorRate: percent of all requests since start.', cf.TotalErrorRate],
    ['edgeproxy_cloudfront_cache_hit_rate', 'gauge', 'CloudFront CacheHitRate: Hit and RefreshHit over cacheable answers (Hit, RefreshHit, Miss), percent.', cf.CacheHitRate],
    ['edgeproxy_cloudfront_lambda_execution_errors_total', 'counter', 'CloudFront LambdaExecutionError responses.', cf.LambdaExecutionError],
    ['edgeproxy_cloudfront_lambda_validation_errors_total', 'counter', 'CloudFront LambdaValidationError responses.', cf.LambdaValidationError],
    ['edgeproxy_cloudfront_lambda_limit_exceeded_errors_total', 'counter', 'CloudFront LambdaLimitExceededErrors responses.', cf.LambdaLimitExceededErrors],
  ];
  for (const [name, type, help, value] of perDistribution) {
    e.family(name, type, help);
    e.sample(name, d, value);
  }
  e.family('edgeproxy_cloudfront_origin_latency_ms', 'summary', 'CloudFront OriginLatency in milliseconds: until the origin response headers, for requests the origin served.');
  e.summary('edgeproxy_cloudfront_origin_latency_ms', d, cf.OriginLatency);
  e.family('edgeproxy_cloudfront_responses_total', 'counter', 'Viewer responses by status code.');
  for (const [code, n] of Object.entries(cf.statusCodes)) e.sample('edgeproxy_cloudfront_responses_total', { ...d, status: code }, n);

  const perCff: Array<[string, string, (f: CffFunctionMetricsSnapshot) => number]> = [
    ['edgeproxy_cloudfront_function_invocations_total', 'CloudFront FunctionInvocations: runs of a CloudFront Function.', (f) => f.FunctionInvocations],
    ['edgeproxy_cloudfront_function_validation_errors_total', 'CloudFront FunctionValidationErrors: runs whose result CloudFront refused.', (f) => f.FunctionValidationErrors],
    ['edgeproxy_cloudfront_function_execution_errors_total', 'CloudFront FunctionExecutionErrors: runs that threw, rejected or did not end.', (f) => f.FunctionExecutionErrors],
    ['edgeproxy_cloudfront_function_throttles_total', 'CloudFront FunctionThrottles: requests refused while the function was throttled.', (f) => f.FunctionThrottles],
  ];
  for (const [name, help, get] of perCff) {
    e.family(name, 'counter', help);
    for (const f of s.cloudfrontFunctions.functions) e.sample(name, { function_name: f.FunctionName }, get(f));
  }
  e.family('edgeproxy_cloudfront_function_compute_utilization', 'summary', 'CloudFront FunctionComputeUtilization: 0-100 per run, of the compute budget (cff.compute.budgetMs).');
  for (const f of s.cloudfrontFunctions.functions) e.summary('edgeproxy_cloudfront_function_compute_utilization', { function_name: f.FunctionName }, f.FunctionComputeUtilization);
  return e.text();
}

export function createMetrics(opts: { distributionId?: string } = {}): Metrics {
  return new Recorder(opts.distributionId ?? 'EDGEPROXY');
}
