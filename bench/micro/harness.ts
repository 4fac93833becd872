// A tiny self-timing loop for per-request functions: warm-up, then 5 timed samples, median
// reported as ops/s and ns/op. Good enough to see a 2× regression without a full load test; not
// for sub-10 % differences (use the load bench and CPU µs per request for those).

export interface MicroCase {
  name: string;
  /** Returns the operation to time, or a string saying why the case is skipped (module not there yet…). */
  setup(): Promise<(() => unknown) | string>;
}

export interface MicroResult {
  name: string;
  status: 'ok' | 'skipped';
  reason?: string;
  opsPerSec?: number;
  nsPerOp?: number;
  /** ns/op of each sample, for judging spread. */
  samplesNs?: number[];
}

export interface TimingOptions {
  samples: number;
  sampleMs: number;
  warmupMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { samples: 5, sampleMs: 200, warmupMs: 300 };

/** Written by every timed call so V8 cannot drop the work as dead code. */
let sink: unknown;
export function lastSink(): unknown {
  return sink;
}

function runBatch(op: () => unknown, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink = op();
  return Number(process.hrtime.bigint() - t0);
}

export function timeOp(op: () => unknown, o: TimingOptions = DEFAULT_TIMING): { opsPerSec: number; nsPerOp: number; samplesNs: number[] } {
  // Batch size so one batch takes ~1 ms: the clock read is then negligible. Bounded doubling.
  let batch = 1;
  for (let i = 0; i < 30 && runBatch(op, batch) < 1e6; i++) batch *= 2;
  const spin = (ms: number): { ns: number; ops: number } => {
    const until = ms * 1e6;
    let ns = 0;
    let ops = 0;
    // Bounded by time and by a hard cap on batches, whatever the op does.
    for (let i = 0; ns < until && i < 1e6; i++) {
      ns += runBatch(op, batch);
      ops += batch;
    }
    return { ns, ops };
  };
  spin(o.warmupMs);
  const samplesNs: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    const { ns, ops } = spin(o.sampleMs);
    samplesNs.push(ns / ops);
  }
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const nsPerOp = sorted[sorted.length >> 1] ?? NaN;
  return { opsPerSec: 1e9 / nsPerOp, nsPerOp, samplesNs };
}

export async function runCase(c: MicroCase, o: TimingOptions = DEFAULT_TIMING): Promise<MicroResult> {
  let op: (() => unknown) | string;
  try {
    op = await c.setup();
  } catch (e) {
    op = `setup threw: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (typeof op === 'string') return { name: c.name, status: 'skipped', reason: op };
  try {
    return { name: c.name, status: 'ok', ...timeOp(op, o) };
  } catch (e) {
    return { name: c.name, status: 'skipped', reason: `threw while timed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Imports a module of edgeproxy by its path relative to the repository root's `src/`, from the
 * built bench (dist/bench/micro → dist/src). A string result says why it could not be used.
 */
export async function importSrc(rel: string): Promise<Record<string, unknown> | string> {
  try {
    const mod: unknown = await import(new URL(`../../src/${rel}`, import.meta.url).href);
    if (typeof mod !== 'object' || mod === null) return `src/${rel}: not a module`;
    return mod as Record<string, unknown>;
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
    if (code === 'ERR_MODULE_NOT_FOUND') return `src/${rel.replace(/\.js$/, '.ts')} is not there yet`;
    return `src/${rel} failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * The export `name` of `mod` if it is a function. Only presence can be checked at run time; the
 * caller states the signature it was promised (the helpers' published contracts) and checks a
 * known answer in setup before timing.
 */
export function fnExport<F>(mod: Record<string, unknown> | string, name: string): F | string {
  if (typeof mod === 'string') return mod;
  const f = mod[name];
  return typeof f === 'function' ? (f as F) : `no export ${name}() (yet)`;
}
