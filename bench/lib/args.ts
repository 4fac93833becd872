// Command line of `npm run bench -- …` and the time budget it implies.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_JSON } from './paths.js';

export interface BenchOptions {
  /** Seconds of each measured run. */
  duration: number;
  /** Seconds of load sent to each server once, before its first measured run (JIT, pools, cache). */
  warmup: number;
  connections: number;
  /** Glob or comma list of scenario names; undefined = all. */
  scenario: string | undefined;
  repeat: number;
  json: string;
  micro: boolean;
  list: boolean;
  help: boolean;
}

/**
 * Defaults sized so the default set (8 scenarios) stays under 4 minutes: see
 * estimateSeconds. For numbers to publish, use longer runs: `--duration 8 --repeat 5` (~9 min).
 */
export const DEFAULTS = { duration: 3, warmup: 2, connections: 50, repeat: 3 } as const;

export const USAGE = `usage: npm run bench -- [options]
  --duration S      seconds per measured run (default ${DEFAULTS.duration})
  --warmup S        seconds of warm-up load per server, once per scenario (default ${DEFAULTS.warmup})
  --connections N   autocannon connections (default ${DEFAULTS.connections})
  --scenario LIST   glob or comma list of scenarios, e.g. 'a*,c' (default: all)
  --repeat N        measured runs per server; medians are reported (default ${DEFAULTS.repeat})
  --json FILE       raw results (default bench/results/latest.json)
  --micro           run the micro-benchmarks instead (same as node dist/bench/micro.js)
  --list            list the scenarios and exit
  --help            this text`;

function num(name: string, raw: string | undefined, fallback: number, opts: { integer: boolean; min: number; max: number }): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const kind = opts.integer ? 'an integer' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || n < opts.min || n > opts.max) {
    throw new Error(`--${name}: expected ${kind} from ${opts.min} to ${opts.max}, got "${raw}"`);
  }
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      scenario: { type: 'string' },
      repeat: { type: 'string' },
      json: { type: 'string' },
      micro: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  return {
    duration: num('duration', values.duration, DEFAULTS.duration, { integer: false, min: 0.5, max: 600 }),
    warmup: num('warmup', values.warmup, DEFAULTS.warmup, { integer: false, min: 0, max: 600 }),
    connections: num('connections', values.connections, DEFAULTS.connections, { integer: true, min: 1, max: 10_000 }),
    scenario: values.scenario,
    repeat: num('repeat', values.repeat, DEFAULTS.repeat, { integer: true, min: 1, max: 50 }),
    json: values.json === undefined ? DEFAULT_JSON : resolve(values.json),
    micro: values.micro ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

/** Measured costs besides the load itself, from runs on the 2-vCPU dev VM. */
const OVERHEAD = {
  /** Starting origin + target + baseline children and taking samples. */
  scenarioStartSec: 1.5,
  /** IPC round trip, autocannon connecting, /proc reads. */
  perRunSec: 0.3,
  /** Misses through edgeproxy while prefilling g (6.5k/s measured on a busy VM). */
  prefillPerSec: 6000,
} as const;

interface BudgetScenario {
  prefill?: { count: number };
}

/** Upper-bound wall time: every scenario with both servers running. */
export function estimateSeconds(scenarios: readonly BudgetScenario[], o: Pick<BenchOptions, 'duration' | 'warmup' | 'repeat'>): number {
  let total = 0;
  for (const s of scenarios) {
    total += OVERHEAD.scenarioStartSec;
    total += 2 * o.warmup;
    total += o.repeat * 2 * (o.duration + OVERHEAD.perRunSec);
    if (s.prefill) total += s.prefill.count / OVERHEAD.prefillPerSec;
  }
  return total;
}
