// The part of autocannon 8's programmatic API the load-generator child uses. autocannon ships no
// types and @types/autocannon is not a dependency; this declares only what we call, so a change in
// autocannon shows up as a type error here rather than as undefined at run time.

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest | undefined;
  }

  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    requests?: AutocannonRequest[];
    excludeErrorStats?: boolean;
  }

  interface AutocannonHistogramSummary {
    average: number;
    mean: number;
    total: number;
    p50: number;
    p99: number;
    p99_9: number;
    max: number;
  }

  interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: AutocannonHistogramSummary;
    requests: AutocannonHistogramSummary & { sent: number };
    throughput: AutocannonHistogramSummary;
  }

  interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }

  function autocannon(opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void): AutocannonInstance;

  export default autocannon;
  export type { AutocannonOptions, AutocannonRequest, AutocannonResult, AutocannonInstance };
}
