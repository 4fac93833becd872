import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/cache/clock.js';
import { ageHeader, canServeStaleOnError, currentAge, currentAgeMs, freshness, isUseful, ttlLeft } from '../../src/cache/freshness.js';
import { T0, entry, h, httpDate, policy } from './fixtures.js';

describe('currentAge — RFC 9111 §4.2.3', () => {
  it('is the resident time when Date equals the arrival and there is no Age', () => {
    const e = entry();
    expect(currentAge(e, T0)).toBe(0);
    expect(currentAge(e, T0 + 4_999)).toBe(4);
    expect(currentAge(e, T0 + 5_000)).toBe(5);
  });

  it('counts apparent age from an older Date', () => {
    const e = entry({ headers: h(['Date', httpDate(T0 - 30_000)], ['Cache-Control', 'max-age=60']) });
    expect(currentAge(e, T0)).toBe(30);
  });

  it("counts the origin's Age plus the response delay, taking the larger of the two estimates", () => {
    const e = entry({
      requestTime: T0 - 2_000,
      headers: h(['Date', httpDate(T0 - 5_000)], ['Age', '10'], ['Cache-Control', 'max-age=60']),
    });
    // apparent 5 s; corrected age value 10 + 2 = 12 s
    expect(currentAgeMs(e, T0)).toBe(12_000);
    expect(currentAge(e, T0 + 3_000)).toBe(15);
    expect(e.headers['age']).toBeUndefined(); // regenerated on hits, never replayed
  });

  it('a Date in the future gives apparent age 0; no Date uses the arrival time', () => {
    expect(currentAge(entry({ headers: h(['Date', httpDate(T0 + 60_000)], ['Cache-Control', 'max-age=60']) }), T0)).toBe(0);
    expect(currentAge(entry({ headers: h(['Cache-Control', 'max-age=60']) }), T0 + 1_000)).toBe(1);
    expect(currentAge(entry({ headers: h(['Date', 'garbage'], ['Cache-Control', 'max-age=60']) }), T0 + 1_000)).toBe(1);
  });

  it('ageHeader is whole seconds as a string', () => {
    expect(ageHeader(entry(), T0 + 41_900)).toBe('41');
  });
});

describe('freshness at exact boundaries (manual clock, no sleeping)', () => {
  it('fresh while age < TTL, stale from the TTL second on', () => {
    const clock = manualClock(T0);
    const e = entry({ headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10']) });
    clock.advance(9_999);
    expect(freshness(e, clock.now())).toBe('fresh');
    expect(ttlLeft(e, clock.now())).toBe(0);
    clock.advance(1);
    expect(freshness(e, clock.now())).toBe('stale');
    expect(ttlLeft(e, clock.now())).toBe(0);
    clock.advance(1_000);
    expect(ttlLeft(e, clock.now())).toBe(-1);
  });

  it("origin Age shortens the remaining freshness", () => {
    const e = entry({ headers: h(['Date', httpDate(T0)], ['Age', '8'], ['Cache-Control', 'max-age=10']) });
    expect(freshness(e, T0 + 1_999)).toBe('fresh');
    expect(freshness(e, T0 + 2_000)).toBe('stale');
  });

  it('a TTL-0 entry (kept only for revalidation) is stale at once', () => {
    const e = entry({ headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=0'], ['ETag', '"v"']) });
    expect(e.ttl).toBe(0);
    expect(freshness(e, T0)).toBe('stale');
  });

  it('stale-while-revalidate window: N seconds after expiry', () => {
    const e = entry({ headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10, stale-while-revalidate=5']) });
    expect(freshness(e, T0 + 10_000)).toBe('stale-while-revalidate');
    expect(freshness(e, T0 + 14_999)).toBe('stale-while-revalidate');
    expect(freshness(e, T0 + 15_000)).toBe('stale');
  });

  it('stale-while-revalidate is capped by MaxTTL (AWS rule: stale content)', () => {
    const e = entry({ policy: policy({ maxTTL: 12 }), headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10, stale-while-revalidate=60']) });
    expect(freshness(e, T0 + 11_999)).toBe('stale-while-revalidate');
    expect(freshness(e, T0 + 12_000)).toBe('stale');
  });

  it('must-revalidate forbids stale-while-revalidate', () => {
    const e = entry({ headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10, stale-while-revalidate=60, must-revalidate']) });
    expect(freshness(e, T0 + 10_000)).toBe('stale');
  });
});

describe('canServeStaleOnError (AWS rule: caching origin errors, §6.7)', () => {
  const at = (cc: string, s: number, maxTTL = 31_536_000) =>
    canServeStaleOnError(entry({ policy: policy({ maxTTL }), headers: h(['Date', httpDate(T0)], ['Cache-Control', cc]) }), T0 + s * 1000);

  it('stale-if-error=N: up to N seconds past expiry', () => {
    expect(at('max-age=10, stale-if-error=5', 14.999)).toBe(true);
    expect(at('max-age=10, stale-if-error=5', 15)).toBe(false);
  });
  it('stale-if-error=0 forbids it', () => {
    expect(at('max-age=10, stale-if-error=0', 10)).toBe(false);
  });
  it('without stale-if-error CloudFront serves the expired copy, but never past MaxTTL', () => {
    expect(at('max-age=10', 3_600)).toBe(true);
    expect(at('max-age=10', 99, 100)).toBe(true);
    expect(at('max-age=10', 100, 100)).toBe(false);
  });
  it('stale-if-error is capped by MaxTTL', () => {
    expect(at('max-age=10, stale-if-error=1000', 19.9, 20)).toBe(true);
    expect(at('max-age=10, stale-if-error=1000', 20, 20)).toBe(false);
  });
  it('never with must-revalidate or proxy-revalidate', () => {
    expect(at('max-age=10, must-revalidate, stale-if-error=60', 11)).toBe(false);
    expect(at('max-age=10, proxy-revalidate', 11)).toBe(false);
  });
  it('a MinTTL-forced no-store copy is served on error unless stale-if-error=0 (AWS rule: how long an object stays cached (TTL) warning)', () => {
    const mk = (cc: string) => entry({ policy: policy({ minTTL: 5 }), headers: h(['Date', httpDate(T0)], ['Cache-Control', cc]) });
    expect(canServeStaleOnError(mk('no-store'), T0 + 60_000)).toBe(true);
    expect(canServeStaleOnError(mk('no-store, stale-if-error=0'), T0 + 60_000)).toBe(false);
  });
});

describe('isUseful', () => {
  it('entries with a validator stay for revalidation; others go once no window is left', () => {
    const withEtag = entry({ policy: policy({ maxTTL: 20 }), headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10'], ['ETag', '"a"']) });
    const without = entry({ policy: policy({ maxTTL: 20 }), headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10']) });
    expect(isUseful(withEtag, T0 + 1_000_000)).toBe(true);
    expect(isUseful(without, T0 + 19_999)).toBe(true);
    expect(isUseful(without, T0 + 20_000)).toBe(false);
  });
});
