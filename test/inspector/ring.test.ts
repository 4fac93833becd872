// The inspector's bounded ring: by count and by bytes, oldest out first; and an exchange's size
// estimate counts the captured strings.

import { describe, expect, it } from 'vitest';
import { BodySink, ExchangeCapture } from '../../src/inspector/capture.js';
import { Inspector } from '../../src/inspector/inspector.js';
import { BoundedRing } from '../../src/inspector/ring.js';

describe('BoundedRing', () => {
  it('keeps the newest maxItems', () => {
    const r = new BoundedRing<number>(3, 1_000_000);
    const dropped: number[] = [];
    for (let i = 1; i <= 5; i++) dropped.push(...r.push(i, 10));
    expect(r.newestFirst()).toEqual([5, 4, 3]);
    expect(dropped).toEqual([1, 2]);
    expect(r.size).toBe(3);
    expect(r.bytes).toBe(30);
  });

  it('keeps at most maxBytes, dropping the oldest until it fits', () => {
    const r = new BoundedRing<string>(100, 100);
    r.push('a', 40);
    r.push('b', 40);
    expect(r.newestFirst()).toEqual(['b', 'a']);
    expect(r.push('c', 40)).toEqual(['a']);
    expect(r.newestFirst()).toEqual(['c', 'b']);
    expect(r.bytes).toBe(80);
    // One item over the whole bound is kept alone (the newest is always there to look at).
    expect(r.push('huge', 500)).toEqual(['b', 'c']);
    expect(r.newestFirst()).toEqual(['huge']);
    expect(r.bytes).toBe(500);
    r.push('d', 10);
    expect(r.newestFirst()).toEqual(['d']);
  });

  it('stays bounded over many pushes, and clear empties it', () => {
    const r = new BoundedRing<number>(10, 1_000_000);
    for (let i = 0; i < 10_000; i++) r.push(i, 1);
    expect(r.size).toBe(10);
    expect(r.newestFirst()).toEqual([9999, 9998, 9997, 9996, 9995, 9994, 9993, 9992, 9991, 9990]);
    expect(r.find((n) => n === 9990)).toBe(9990);
    expect(r.find((n) => n === 5)).toBeUndefined();
    r.clear();
    expect(r.size).toBe(0);
    expect(r.bytes).toBe(0);
  });

  it('refuses bounds below 1', () => {
    expect(() => new BoundedRing(0, 10)).toThrow(/maxItems/);
    expect(() => new BoundedRing(10, 0)).toThrow(/maxBytes/);
  });
});

describe('the inspector ring by bytes', () => {
  const finish = {
    facts: { method: 'GET', target: '/', status: 200, xCache: 'Miss', durationMs: 1, failed: false },
    details: () => ({
      httpVersion: '1.1',
      rawHeaders: [],
      clientIp: '127.0.0.1',
      behavior: { pathPattern: '*', originId: 'o', cachePolicy: 'CachingOptimized', originRequestPolicy: undefined, responseHeadersPolicy: undefined },
      cache: undefined,
      skipped: [],
      steps: [],
      response: { status: 200, statusText: 'OK', headers: [], body: undefined, xCache: 'Miss', completed: true },
      error: undefined,
    }),
  };

  it('an exchange with big events counts them, and the byte bound drops older exchanges', () => {
    const insp = new Inspector({ maxExchanges: 500, maxBytes: 100_000, bodyBytes: 1024 });
    const big = 'x'.repeat(30_000);
    for (let i = 0; i < 5; i++) {
      const c = insp.begin(`id${i}`, undefined);
      c.fn('viewer-request', 'f', 'lambda@edge', JSON.stringify({ big }));
      expect(c.bytes()).toBeGreaterThan(30_000);
      insp.end(c, finish);
    }
    const s = insp.stats();
    expect(s.exchanges).toBe(3);
    expect(s.bytes).toBeLessThanOrEqual(100_000);
    expect(insp.list().map((e) => e.requestId)).toEqual(['id4', 'id3', 'id2']);
  });

  it('a body is kept up to the limit, with its full size', () => {
    const sink = new BodySink(10);
    sink.chunk(Buffer.from('hello '));
    sink.chunk(Buffer.from('world, and more'));
    expect(sink.preview('text/plain')).toEqual({ size: 21, text: 'hello worl', encoding: 'utf8', truncated: true });
    const bin = new BodySink(4);
    bin.chunk(Buffer.from([0, 1, 2, 3, 4, 5]));
    expect(bin.preview('image/png')).toEqual({ size: 6, text: Buffer.from([0, 1, 2, 3]).toString('base64'), encoding: 'base64', truncated: true });
  });

  it('a capture counts what it holds', () => {
    const c = new ExchangeCapture('1', 'r', 0, undefined, 1024);
    const base = c.bytes();
    c.fn('origin-request', 'f', 'lambda@edge', 'e'.repeat(5000)).resultJson = 'r'.repeat(3000);
    expect(c.bytes() - base).toBeGreaterThanOrEqual(8000);
  });
});
