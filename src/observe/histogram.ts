// Durations as a fixed-bucket histogram: log-spaced buckets, bounded memory, no allocation per
// sample, ~4.5 % relative error on a percentile. Recorded on the hot path; summarized on a scrape.

/** Smallest bucket bound in ms; values at or below it land in bucket 0. */
const H_MIN_MS = 0.01;
/** Buckets per doubling: bucket i covers (MIN·2^((i-1)/8), MIN·2^(i/8)]. */
const H_PER_OCTAVE = 8;
/** 0.01 ms … ~28 min: past Lambda's 900 s maximum timeout. */
const H_BUCKETS = 1 + 27 * H_PER_OCTAVE;

export class Histogram {
  readonly counts = new Float64Array(H_BUCKETS);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return; // NaN and negatives are not durations
    const i = ms <= H_MIN_MS ? 0 : Math.min(H_BUCKETS - 1, Math.ceil(Math.log2(ms / H_MIN_MS) * H_PER_OCTAVE));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** The q-quantile (0 < q ≤ 1), interpolated geometrically inside its bucket, clamped to [min, max]. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = q * this.count;
    let cum = 0;
    for (let i = 0; i < H_BUCKETS; i++) {
      const c = this.counts[i] ?? 0;
      if (c === 0) continue;
      if (cum + c >= rank) {
        const lo = i === 0 ? 0 : H_MIN_MS * 2 ** ((i - 1) / H_PER_OCTAVE);
        const hi = H_MIN_MS * 2 ** (i / H_PER_OCTAVE);
        const frac = (rank - cum) / c;
        const v = i === 0 ? hi * frac : lo * (hi / lo) ** frac;
        return Math.min(this.max, Math.max(this.min, v));
      }
      cum += c;
    }
    return this.max;
  }

  summary(): DurationSummary {
    if (this.count === 0) return { count: 0, sum: 0, min: null, avg: null, max: null, p50: null, p90: null, p99: null };
    return {
      count: this.count,
      sum: round3(this.sum),
      min: round3(this.min),
      avg: round3(this.sum / this.count),
      max: round3(this.max),
      p50: round3(this.quantile(0.5)),
      p90: round3(this.quantile(0.9)),
      p99: round3(this.quantile(0.99)),
    };
  }
}

/** Milliseconds to three decimals, as every summary shows them. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface DurationSummary {
  count: number;
  /** Milliseconds. */
  sum: number;
  min: number | null;
  avg: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}
