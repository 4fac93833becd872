// What the admin listener serves at /metrics; implemented by observe/metrics.ts.

export interface MetricsSource {
  /** Prometheus text exposition format. */
  prometheus(): string;
  /** The same numbers as plain JSON. */
  json(): unknown;
}
