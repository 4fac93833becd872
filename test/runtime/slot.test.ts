// A worker slot's state machine (src/runtime/slot.ts) on its own, without a thread: every legal
// transition, every illegal one throwing, and the timers that go with the states (fake timers).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CodeRef } from '../../src/runtime/code-types.js';
import { createRingBuffer, RingReader } from '../../src/runtime/ring.js';
import { INIT_TIMEOUT_MS, type InitResult, type Invocation, Slot, type SlotOwner, type SlotWorker } from '../../src/runtime/slot.js';
import { fnDef, req } from './helpers.js';

const fn = fnDef('counter.js', { id: 'slotted' });
const code: CodeRef = { functionId: fn.id, version: '1', file: fn.file, exportName: 'handler', generation: 0 };

/** The thread's side of a slot: what it was sent. */
class Thread implements SlotWorker {
  readonly threadId = 7;
  readonly posted: string[] = [];
  terminated = false;
  postMessage(message: string): void {
    this.posted.push(message);
  }
  terminate(): Promise<number> {
    this.terminated = true;
    return Promise.resolve(1);
  }
}

/** What the slot's timers reported. */
class Owner implements SlotOwner {
  readonly calls: string[] = [];
  initTimedOut(slot: Slot): void {
    this.calls.push(`init-timeout ${slot.state}`);
  }
  invokeTimedOut(_slot: Slot, inv: Invocation): void {
    this.calls.push(`timeout ${inv.id}`);
  }
  idleExpired(slot: Slot): void {
    this.calls.push(`idle ${slot.state}`);
  }
}

let nextId = 0;
function invocation(timeoutMs = 1_000): Invocation {
  const id = ++nextId;
  return {
    id,
    req: req(fn, { timeoutMs }),
    pool: { fn, inFlight: 0 },
    code,
    key: 'k',
    awsRequestId: `request-${id}`,
    event: '{}',
    resolve: () => {},
    startedAt: 0,
    slot: undefined,
    initMs: undefined,
  };
}

let owner: Owner;
let thread: Thread;
const made: Slot[] = [];
function slot(): Slot {
  const s = new Slot(owner, thread, new RingReader(createRingBuffer()), code, 'k', Promise.resolve());
  made.push(s);
  return s;
}
const gone: InitResult = { ok: false, message: { t: 'init-error', errorType: 'Edgeproxy.Shutdown', errorMessage: 'test over' } };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  // A fake performance.now() starts at 0, which an invocation's startedAt reserves for "not started".
  vi.advanceTimersByTime(1_000);
  owner = new Owner();
  thread = new Thread();
});
afterEach(() => {
  for (const s of made.splice(0)) if (s.state !== 'dead') s.die(gone);
  vi.useRealTimers();
});

/** A slot taken to `busy` running `inv` the way the pool does it: loaded, then given. */
function busy(inv = invocation()): Slot {
  const s = slot();
  s.loaded();
  expect(s.give(inv)).toBe(true);
  return s;
}

describe('slot transitions', () => {
  it('starts as starting with nothing to run', () => {
    const s = slot();
    expect(s.state).toBe('starting');
    expect(s.current).toBeUndefined();
    expect(s.backlogLength).toBe(0);
  });

  it('starting → idle when the module loads with nothing waiting', () => {
    const s = slot();
    expect(s.loaded()).toBeUndefined();
    expect(s.state).toBe('idle');
  });

  it('a cold start: an invocation given while starting waits (the clock does not start), then starting → busy on load', () => {
    const s = slot();
    const inv = invocation();
    expect(s.give(inv)).toBe(false);
    expect(s.state).toBe('starting');
    expect(s.current).toBe(inv);
    const second = invocation();
    expect(s.give(second)).toBe(false);
    expect(s.backlogLength).toBe(1);
    expect(s.loaded()).toBe(inv);
    expect(s.state).toBe('busy');
    expect(s.current).toBe(inv);
  });

  it('idle → busy when given an invocation: it starts now', () => {
    const s = slot();
    s.loaded();
    const inv = invocation();
    expect(s.give(inv)).toBe(true);
    expect(s.state).toBe('busy');
    expect(s.current).toBe(inv);
  });

  it('busy keeps what it is given behind the running one, in order; finish() starts the next (busy → busy) and then goes idle', () => {
    const first = invocation();
    const s = busy(first);
    const second = invocation();
    const third = invocation();
    expect(s.give(second)).toBe(false);
    expect(s.give(third)).toBe(false);
    expect(s.backlogLength).toBe(2);
    expect(s.finish()).toBe(first);
    expect([s.state, s.current]).toEqual(['busy', second]);
    expect(s.finish()).toBe(second);
    expect([s.state, s.current]).toEqual(['busy', third]);
    expect(s.finish()).toBe(third);
    expect([s.state, s.current, s.backlogLength]).toEqual(['idle', undefined, 0]);
  });

  it.each(['starting', 'idle', 'busy'] as const)('%s → dead: nothing runs any more, the unstarted come back detached, a load waiter gets the reason', async (from) => {
    const s = slot();
    const waiting = s.whenLoaded();
    const running = invocation();
    const ahead = invocation();
    if (from !== 'starting') s.loaded();
    if (from === 'busy') {
      s.give(running);
      running.slot = s;
      s.give(ahead);
      ahead.slot = s;
    }
    expect(s.state).toBe(from);
    const unstarted = s.die(gone);
    expect(s.state).toBe('dead');
    expect(s.current).toBeUndefined();
    expect(unstarted).toEqual(from === 'busy' ? [ahead] : []);
    if (from === 'busy') expect(ahead.slot).toBeUndefined();
    expect(await waiting).toEqual(from === 'starting' ? gone : { ok: true, slot: s });
  });

  it('throws on every transition the table does not list, naming the worker, the method and the state', () => {
    const idle = slot();
    idle.loaded();
    expect(() => idle.loaded()).toThrow('edgeproxy: worker 7 of function slotted (version 1): loaded() is not allowed when idle');
    expect(() => idle.finish()).toThrow('finish() is not allowed when idle');
    const starting = slot();
    expect(() => starting.finish()).toThrow('finish() is not allowed when starting');
    const running = busy();
    expect(() => running.loaded()).toThrow('loaded() is not allowed when busy');
    const dead = busy();
    dead.die(gone);
    expect(() => dead.give(invocation())).toThrow('give() is not allowed when dead');
    expect(() => dead.loaded()).toThrow('loaded() is not allowed when dead');
    expect(() => dead.finish()).toThrow('finish() is not allowed when dead');
    expect(() => dead.die(gone)).toThrow('die() is not allowed when dead');
  });

  it('a refused transition changes nothing', () => {
    const s = busy();
    const before = s.current;
    expect(() => s.loaded()).toThrow();
    expect([s.state, s.current]).toEqual(['busy', before]);
  });
});

describe('what goes with the states', () => {
  it('whenLoaded() resolves at once for a loaded worker, on load for a starting one', async () => {
    const s = slot();
    const early = s.whenLoaded();
    s.loaded();
    expect(await early).toEqual({ ok: true, slot: s });
    expect(await s.whenLoaded()).toEqual({ ok: true, slot: s });
  });

  it('post() reports only the first message of a turn; flush() sends them as one, and a dead worker is sent nothing', () => {
    const s = busy();
    expect(s.post('a')).toBe(true);
    expect(s.post('b')).toBe(false);
    s.flush();
    expect(thread.posted).toEqual(['a\nb']);
    expect(s.post('c')).toBe(true);
    s.flush();
    s.flush();
    expect(thread.posted).toEqual(['a\nb', 'c']);
    s.post('d');
    s.die(gone);
    s.flush();
    expect(thread.posted).toEqual(['a\nb', 'c']);
  });

  it('console lines: the running invocation’s id, the last finished one’s for background work, undefined during init', () => {
    const first = invocation();
    const s = busy(first);
    expect(s.requestIdFor(0)).toBe('undefined');
    expect(s.requestIdFor(first.id)).toBe(first.awsRequestId);
    expect(s.rawRequestId()).toBe('undefined');
    s.startClock(first);
    expect(s.rawRequestId()).toBe(first.awsRequestId);
    s.finish();
    expect(s.requestIdFor(first.id)).toBe(first.awsRequestId);
    expect(s.requestIdFor(first.id + 100)).toBe('undefined');
    expect(s.rawRequestId()).toBe(first.awsRequestId);
  });
});

describe('slot timers', () => {
  it('the load timer fires after INIT_TIMEOUT_MS while starting, and never once loaded', () => {
    const cold = slot();
    const warm = slot();
    warm.loaded();
    vi.advanceTimersByTime(INIT_TIMEOUT_MS - 1);
    expect(owner.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(owner.calls).toEqual(['init-timeout starting']);
    expect(cold.state).toBe('starting');
  });

  it('the invocation timer runs from startClock() and reports the running invocation once its timeout has passed', () => {
    const inv = invocation(300);
    const s = busy(inv);
    s.startClock(inv);
    vi.advanceTimersByTime(299);
    expect(owner.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(owner.calls).toEqual([`timeout ${inv.id}`]);
  });

  it('an invocation timer left armed after its invocation finished reports nothing', () => {
    const inv = invocation(300);
    const s = busy(inv);
    s.startClock(inv);
    vi.advanceTimersByTime(100);
    s.finish();
    vi.advanceTimersByTime(1_000);
    expect(owner.calls).toEqual([]);
  });

  it('the next invocation re-arms the timer for its own timeout, from its own start', () => {
    const first = invocation(300);
    const second = invocation(500);
    const s = busy(first);
    s.startClock(first);
    s.give(second);
    vi.advanceTimersByTime(200);
    s.finish();
    s.startClock(second);
    vi.advanceTimersByTime(499);
    expect(owner.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(owner.calls).toEqual([`timeout ${second.id}`]);
  });

  it('the idle timer reports an idle slot after the idle timeout, counted from the last time it went idle', () => {
    const s = slot();
    s.loaded();
    s.armIdle(1_000);
    vi.advanceTimersByTime(600);
    const inv = invocation();
    s.give(inv);
    s.finish();
    s.armIdle(1_000);
    vi.advanceTimersByTime(600);
    expect(owner.calls).toEqual([]);
    vi.advanceTimersByTime(400);
    expect(owner.calls).toEqual(['idle idle']);
  });

  it('the idle timer does not report a slot that is busy when it fires', () => {
    const s = slot();
    s.loaded();
    s.armIdle(1_000);
    s.give(invocation());
    vi.advanceTimersByTime(2_000);
    expect(owner.calls).toEqual([]);
  });

  it('die() stops every timer', () => {
    const inv = invocation(300);
    const s = busy(inv);
    s.startClock(inv);
    const cold = slot();
    cold.die(gone);
    s.die(gone);
    vi.advanceTimersByTime(INIT_TIMEOUT_MS * 2);
    expect(owner.calls).toEqual([]);
  });
});
