// Small numeric helpers for the bench: medians across repeats and a latency histogram with
// microsecond resolution (autocannon's own keeps whole milliseconds, too coarse for a ~1 ms p50).

import type { LatencySummaryUs } from './messages.js';

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  // Even count: mean of the two middle values, the usual definition.
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function max(xs: readonly number[]): number | undefined {
  return xs.length === 0 ? undefined : Math.max(...xs);
}

/** Exact 1 µs buckets below FINE_LIMIT_US, 1 ms buckets above, clamped at 60 s. Fixed memory, O(1) record. */
const FINE_LIMIT_US = 100_000;
const COARSE_BUCKETS = 60_000;

export class LatencyHistogram {
  private readonly fine = new Uint32Array(FINE_LIMIT_US);
  private readonly coarse = new Uint32Array(COARSE_BUCKETS);
  private count = 0;
  private sumUs = 0;
  private maxUs = 0;

  recordMs(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    if (us < FINE_LIMIT_US) this.fine[us]! += 1;
    else this.coarse[Math.min(COARSE_BUCKETS - 1, Math.floor(us / 1000))]! += 1;
    this.count += 1;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Smallest value v such that at least q of the samples are ≤ v (nearest-rank definition). */
  percentileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < FINE_LIMIT_US; i++) {
      seen += this.fine[i]!;
      if (seen >= rank) return i;
    }
    for (let i = 0; i < COARSE_BUCKETS; i++) {
      seen += this.coarse[i]!;
      if (seen >= rank) return Math.max(FINE_LIMIT_US, i * 1000);
    }
    return this.maxUs;
  }

  summary(): LatencySummaryUs {
    return {
      p50: this.percentileUs(0.5),
      p99: this.percentileUs(0.99),
      p999: this.percentileUs(0.999),
      max: this.maxUs,
      mean: this.count === 0 ? 0 : this.sumUs / this.count,
      count: this.count,
    };
  }
}
