// Compute utilization, CloudFront's way of saying how much of its time budget a run used: an integer
// 0–100 ("ComputeUtilization", TestFunction and the FunctionComputeUtilization metric). CloudFront does
// not publish the budget ("sub-millisecond"); edgeproxy's model is a configurable budget (1 ms by
// default, 100 = the whole budget), measured as the time the handler ran in its worker thread.
// Laptops are not edge servers, so by default an over-budget run only warns; `strict` fails a run over
// the hard cap (503 FunctionExecutionError), and `throttle` emulates CloudFront throttling a function
// that runs over budget continuously (503 FunctionThrottledError for a cool-down). See
// docs/decisions.md, CloudFront Functions.

import { computeUtilization, DEFAULT_COMPUTE_BUDGET_MS } from './limits.js';

export interface ComputeSettings {
  /** The budget one run may use: 100 % utilization. */
  budgetMs: number;
  /** 'warn': over budget → a warning line; 'strict': over hardCapMs → the run fails. */
  mode: 'warn' | 'strict';
  /** A single run over this fails in strict mode (default 10 × budget). */
  hardCapMs: number;
  /** Throttle after `window` runs averaging ≥ 100 %, for `coolDownMs`. Off by default. */
  throttle: { enabled: boolean; window: number; coolDownMs: number };
}

export const DEFAULT_COMPUTE: Readonly<ComputeSettings> = Object.freeze({
  budgetMs: DEFAULT_COMPUTE_BUDGET_MS,
  mode: 'warn',
  hardCapMs: 10 * DEFAULT_COMPUTE_BUDGET_MS,
  throttle: Object.freeze({ enabled: false, window: 20, coolDownMs: 10_000 }),
});

type ComputeVerdict =
  | { kind: 'ok'; utilization: number }
  /** Over budget; the run still counts (mode 'warn', or strict below the hard cap). */
  | { kind: 'over-budget'; utilization: number }
  /** Strict mode: the run took longer than the hard cap. */
  | { kind: 'over-cap'; utilization: number };

/** One function's meter: utilization per run, and the throttle state when throttling is on. */
export class ComputeMeter {
  readonly #s: ComputeSettings;
  readonly #recent: number[] = [];
  #sum = 0;
  #throttledUntil = 0;

  constructor(settings: ComputeSettings = DEFAULT_COMPUTE) {
    this.#s = settings;
  }

  get settings(): Readonly<ComputeSettings> {
    return this.#s;
  }

  /** Whether a run starting at `nowMs` is refused (throttled). */
  throttled(nowMs: number): boolean {
    return this.#throttledUntil > nowMs;
  }

  /** Records a run that took `runMs` and says what it means. */
  record(runMs: number, nowMs: number): ComputeVerdict {
    const utilization = computeUtilization(runMs, this.#s.budgetMs);
    const t = this.#s.throttle;
    if (t.enabled) {
      this.#recent.push(utilization);
      this.#sum += utilization;
      if (this.#recent.length > t.window) this.#sum -= this.#recent.shift() ?? 0;
      // "Continuously" over the maximum: a full window averaging the whole budget.
      if (this.#recent.length === t.window && this.#sum / t.window >= 100) {
        this.#throttledUntil = nowMs + t.coolDownMs;
        this.#recent.length = 0;
        this.#sum = 0;
      }
    }
    if (this.#s.mode === 'strict' && runMs > this.#s.hardCapMs) return { kind: 'over-cap', utilization };
    if (runMs > this.#s.budgetMs) return { kind: 'over-budget', utilization };
    return { kind: 'ok', utilization };
  }
}
