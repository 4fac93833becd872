// Metrics (docs/cloudfront-reference.md §9.4): counters, percentiles from the fixed-bucket histogram, rates computed when
// scraped, and the Prometheus text format.

import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/observe/histogram.js';
import { createMetrics } from '../../src/observe/metrics.js';

describe('Histogram', () => {
  it('percentiles of a known distribution are within the bucket resolution (~9 %)', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i); // 1..1000 ms, uniform
    const s = h.summary();
    expect(s).toMatchObject({ count: 1000, sum: 500500, min: 1, max: 1000, avg: 500.5 });
    expect(s.p50).toBeGreaterThan(500 * 0.91);
    expect(s.p50).toBeLessThan(500 * 1.09);
    expect(s.p90).toBeGreaterThan(900 * 0.91);
    expect(s.p90).toBeLessThan(900 * 1.09);
    expect(s.p99).toBeGreaterThan(990 * 0.91);
    expect(s.p99).toBeLessThanOrEqual(1000);
  });

  it('is clamped to what was seen, ignores non-durations, and is empty before the first value', () => {
    const h = new Histogram();
    expect(h.summary()).toEqual({ count: 0, sum: 0, min: null, avg: null, max: null, p50: null, p90: null, p99: null });
    h.record(Number.NaN);
    h.record(-1);
    h.record(7);
    h.record(7);
    expect(h.summary()).toMatchObject({ count: 2, p50: 7, p99: 7, min: 7, max: 7 });
    h.record(10 ** 9); // beyond the last bucket still counts
    expect(h.summary().max).toBe(10 ** 9);
  });
});

describe('createMetrics', () => {
  it('per function and executed version: Invocations (errors included), Errors, Throttles, Duration, ConcurrentExecutions', () => {
    const m = createMetrics({ distributionId: 'EDFDVBD6EXAMPLE' });
    m.recordInvocationStart('auth', '3');
    m.recordInvocationStart('auth', '3');
    m.recordInvocationStart('auth', '4');
    m.recordInvocationEnd('auth', '3', 10, false);
    m.recordInvocationEnd('auth', '3', 30, true);
    m.recordThrottle('auth', '3');
    const s = m.snapshot();
    expect(s.lambda.functions).toHaveLength(2);
    expect(s.lambda.functions[0]).toMatchObject({
      FunctionName: 'auth',
      ExecutedVersion: '3',
      Invocations: 2,
      Errors: 1,
      Throttles: 1,
      Duration: { count: 2, sum: 40, min: 10, max: 30, avg: 20 },
      ConcurrentExecutions: { current: 0, max: 2 },
    });
    expect(s.lambda.functions[1]).toMatchObject({ ExecutedVersion: '4', Invocations: 0, ConcurrentExecutions: { current: 1, max: 1 } });
    expect(s.lambda.account).toEqual({ ConcurrentExecutions: { current: 1, max: 3 }, Throttles: 1 });
  });

  it('per distribution: requests, bytes, error rates, cache hit rate over cacheable answers, origin latency, Lambda error counters', () => {
    const m = createMetrics({ distributionId: 'E1' });
    m.recordRequest('GET', 200, 'Hit', 1000, 0, -1);
    m.recordRequest('GET', 200, 'RefreshHit', 1000, 0, 20);
    m.recordRequest('GET', 200, 'Miss', 500, 0, 40);
    m.recordRequest('GET', 200, 'LambdaGeneratedResponse', 100, 0, -1);
    m.recordRequest('POST', 201, 'Miss', 300, 2048, 60);
    m.recordRequest('GET', 404, 'Error', 50, 0, 5);
    m.recordRequest('GET', 503, 'LambdaExecutionError', 900, 0, -1);
    m.recordRequest('GET', 502, 'LambdaValidationError', 900, 0, -1);
    m.recordRequest('GET', 503, 'LambdaLimitExceeded', 900, 0, -1);
    m.recordRequest('GET', 418, 'Error', 10, 0, -1);
    const cf = m.snapshot().cloudfront;
    expect(cf).toMatchObject({
      DistributionId: 'E1',
      Requests: 10,
      BytesDownloaded: 1000 + 1000 + 500 + 100 + 50 + 900 * 3 + 10,
      BytesUploaded: 2048,
      '4xxErrorRate': 20,
      '5xxErrorRate': 30,
      TotalErrorRate: 50,
      // Hit + RefreshHit over Hit + RefreshHit + Miss (2 of 4); generated responses and errors are not cacheable answers.
      CacheHitRate: 50,
      LambdaExecutionError: 1,
      LambdaValidationError: 1,
      LambdaLimitExceededErrors: 1,
      OriginLatency: { count: 4, min: 5, max: 60, sum: 125 },
      statusCodes: { '200': 4, '404': 1, '502': 1, '503': 2, other: 2 },
    });
    expect(cf.statusCodes['201']).toBeUndefined();
  });

  it('reports null rates before any traffic', () => {
    const cf = createMetrics().snapshot().cloudfront;
    expect(cf).toMatchObject({ Requests: 0, '4xxErrorRate': null, CacheHitRate: null, DistributionId: 'EDGEPROXY' });
  });

  it('prometheus(): text format 0.0.4 with HELP/TYPE, escaped labels, summaries with quantiles', () => {
    const m = createMetrics({ distributionId: 'E1' });
    m.recordInvocationStart('a"b\\c', '$LATEST');
    m.recordInvocationEnd('a"b\\c', '$LATEST', 12, false);
    m.recordRequest('GET', 200, 'Miss', 10, 0, 3);
    const text = m.prometheus();
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('# TYPE edgeproxy_lambda_invocations_total counter\n');
    expect(text).toContain('edgeproxy_lambda_invocations_total{function_name="a\\"b\\\\c",executed_version="$LATEST"} 1\n');
    expect(text).toContain('# TYPE edgeproxy_lambda_duration_ms summary\n');
    expect(text).toMatch(/edgeproxy_lambda_duration_ms\{function_name="a\\"b\\\\c",executed_version="\$LATEST",quantile="0\.99"\} 12\n/);
    expect(text).toContain('edgeproxy_lambda_duration_ms_count{function_name="a\\"b\\\\c",executed_version="$LATEST"} 1\n');
    expect(text).toContain('edgeproxy_cloudfront_requests_total{distribution_id="E1"} 1\n');
    expect(text).toContain('edgeproxy_cloudfront_cache_hit_rate{distribution_id="E1"} 0\n');
    expect(text).toContain('edgeproxy_cloudfront_responses_total{distribution_id="E1",status="200"} 1\n');
    // Every sample line is `name{labels} value` with a number (or NaN) as value.
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-z_][a-z0-9_]*(\{.*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|NaN|\+Inf)$/);
    }
    expect(m.json()).toEqual(m.snapshot());
  });

  it('recording allocates nothing per call once a series exists (a million calls stay within a small heap delta)', () => {
    const m = createMetrics();
    m.recordInvocationStart('f', '1');
    m.recordInvocationEnd('f', '1', 1, false);
    m.recordRequest('GET', 200, 'Hit', 1, 0, 1);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) {
      m.recordInvocationStart('f', '1');
      m.recordInvocationEnd('f', '1', i % 50, false);
      m.recordRequest('GET', 200, 'Hit', 100, 0, 1);
    }
    // Garbage would show as growth unless a GC ran; either way no retained growth: bounded memory.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    expect(m.snapshot().lambda.functions[0]?.Invocations).toBe(1_000_001);
  });
});
