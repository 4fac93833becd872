// The cache never reads the wall clock itself: every freshness decision takes a Clock so tests can
// step exactly onto TTL boundaries without sleeping.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
  set(ms: number): void;
}

/** A clock that only moves when told to. */
export function manualClock(start: number): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
