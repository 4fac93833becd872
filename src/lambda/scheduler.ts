// Time for the async queue: a clock and timers, injectable so tests of retry delays and event age
// step through Lambda's minutes exactly instead of sleeping. The queue never calls Date.now() or
// setTimeout() itself.

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` (never sooner). The timer does not keep the process alive. */
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface ManualScheduler extends Scheduler {
  /** Moves time forward by `ms`, running every timer that falls due, in order of due time. */
  advance(ms: number): void;
  /** Timers not yet run. */
  pending(): number;
}

/** A scheduler whose time only moves when told to (tests). */
export function manualScheduler(start = Date.UTC(2026, 0, 1)): ManualScheduler {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { due: number; fn: () => void }>();
  return {
    now: () => t,
    after(ms, fn) {
      const id = ++seq;
      timers.set(id, { due: t + Math.max(0, ms), fn });
      return { cancel: () => timers.delete(id) };
    },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        let next: [number, { due: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].due <= end && (next === undefined || e[1].due < next[1].due)) next = e;
        if (next === undefined) break;
        timers.delete(next[0]);
        t = next[1].due;
        next[1].fn();
      }
      t = end;
    },
    pending: () => timers.size,
  };
}
