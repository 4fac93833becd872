import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/cache/clock.js';
import { InvalidationPathError } from '../../src/cache/invalidation.js';
import { createStore } from '../../src/cache/store.js';
import { T0, entry, h, httpDate, policy } from './fixtures.js';

const mk = (maxBytes = 1_000_000, maxObjectBytes = 100_000) => {
  const clock = manualClock(T0);
  return { clock, store: createStore({ maxBytes, maxObjectBytes, clock }) };
};

describe('store basics', () => {
  it('set then get by key; other keys miss', () => {
    const { store } = mk();
    const e = entry({ key: 'k1' });
    expect(store.set(e)).toBe(true);
    expect(store.get('k1', {})).toBe(e);
    expect(store.get('k2', {})).toBeUndefined();
  });

  it('a newer response for the same variant replaces the older', () => {
    const { store } = mk();
    store.set(entry({ key: 'k', body: Buffer.from('old') }));
    store.set(entry({ key: 'k', body: Buffer.from('new') }));
    expect(store.get('k', {})?.body.toString()).toBe('new');
    expect(store.stats().entries).toBe(1);
  });

  it('refuses objects above the per-object cap and drops the older copy', () => {
    const { store } = mk(1_000_000, 2_000);
    store.set(entry({ key: 'k', body: Buffer.alloc(10) }));
    expect(store.set(entry({ key: 'k', body: Buffer.alloc(5_000) }))).toBe(false);
    expect(store.get('k', {})).toBeUndefined();
    expect(store.stats().rejectedTooLarge).toBe(1);
  });

  it('markHit counts per entry and in stats', () => {
    const { store } = mk();
    const e = entry({ key: 'k' });
    store.set(e);
    store.markHit(e);
    store.markHit(e);
    expect(store.list()[0]?.hits).toBe(2);
    expect(store.stats().hits).toBe(2);
  });

  it('delete removes every variant of a key', () => {
    const { store } = mk();
    const vary = (lang: string) =>
      entry({ key: 'k', headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=60'], ['Vary', 'Accept-Language']), requestHeaders: h(['Accept-Language', lang]) });
    store.set(vary('en'));
    store.set(vary('fr'));
    expect(store.delete('k')).toBe(2);
    expect(store.stats().entries).toBe(0);
  });
});

describe('byte bound and eviction', () => {
  it('never holds more bytes than maxBytes; evicts least recently used; counts headers', () => {
    const one = entry({ key: 'a', body: Buffer.alloc(1000) }).size;
    const { store } = mk(one * 3 + 10, one * 2);
    store.set(entry({ key: 'a', body: Buffer.alloc(1000) }));
    store.set(entry({ key: 'b', body: Buffer.alloc(1000) }));
    store.set(entry({ key: 'c', body: Buffer.alloc(1000) }));
    store.get('a', {}); // a is now more recent than b
    store.set(entry({ key: 'd', body: Buffer.alloc(1000) }));
    expect(store.get('b', {})).toBeUndefined();
    expect(store.get('a', {})).toBeDefined();
    expect(store.get('d', {})).toBeDefined();
    const s = store.stats();
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes);
    expect(s.evictions).toBe(1);
  });

  it('header bytes count toward the bound', () => {
    const small = entry({ key: 'x', body: Buffer.alloc(0) });
    const big = entry({ key: 'x', body: Buffer.alloc(0), headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=60'], ['X-Big', 'v'.repeat(5000)]) });
    expect(big.size - small.size).toBeGreaterThanOrEqual(5000);
    const { store } = mk(100_000, 4_000);
    expect(store.set(big)).toBe(false);
  });
});

describe('variants (RFC 9111 §4.1)', () => {
  const vary = (lang: string | undefined, body: string) =>
    entry({
      key: 'k',
      body: Buffer.from(body),
      headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=60'], ['Vary', 'Accept-Language']),
      requestHeaders: lang === undefined ? {} : h(['Accept-Language', lang]),
    });

  it('keeps one entry per variant and serves only the matching one', () => {
    const { store } = mk();
    store.set(vary('en', 'EN'));
    store.set(vary('fr', 'FR'));
    expect(store.get('k', h(['Accept-Language', 'en']))?.body.toString()).toBe('EN');
    expect(store.get('k', h(['Accept-Language', 'fr']))?.body.toString()).toBe('FR');
    expect(store.get('k', h(['Accept-Language', 'de']))).toBeUndefined();
    expect(store.get('k', {})).toBeUndefined();
  });

  it('the most recently stored match wins when Vary names differ', () => {
    const { store, clock } = mk();
    store.set(entry({ key: 'k', body: Buffer.from('plain') }));
    clock.advance(1000);
    store.set(
      entry({
        key: 'k',
        responseTime: clock.now(),
        body: Buffer.from('varied'),
        headers: h(['Date', httpDate(clock.now())], ['Cache-Control', 'max-age=60'], ['Vary', 'X-A']),
        requestHeaders: h(['X-A', '1']),
      }),
    );
    expect(store.get('k', h(['X-A', '1']))?.body.toString()).toBe('varied');
    expect(store.get('k', h(['X-A', '2']))?.body.toString()).toBe('plain');
  });

  it('a request with Authorization does not get an entry that forbids sharing', () => {
    const { store } = mk();
    store.set(entry({ key: 'k' }));
    expect(store.get('k', {}, { authorization: true })).toBeUndefined();
    expect(store.get('k', {}, { authorization: false })).toBeDefined();
  });
});

describe('stale entries', () => {
  it('drops entries that can serve nothing any more; keeps stale ones with validators', () => {
    const { store, clock } = mk();
    const p = policy({ maxTTL: 20 });
    store.set(entry({ key: 'plain', policy: p, headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10']) }));
    store.set(entry({ key: 'etag', policy: p, headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=10'], ['ETag', '"a"']) }));
    clock.advance(15_000);
    expect(store.get('plain', {})).toBeDefined(); // inside the stale-on-error window
    clock.advance(5_000);
    expect(store.get('plain', {})).toBeUndefined();
    expect(store.get('etag', {})).toBeDefined();
    expect(store.stats().entries).toBe(1);
  });

  it('list() reports age and TTL left from the clock', () => {
    const { store, clock } = mk();
    store.set(entry({ key: 'k', uri: '/p', querystring: 'a=1' }));
    clock.advance(25_000);
    expect(store.list()).toEqual([
      expect.objectContaining({ key: 'k', path: '/p?a=1', age: 25, ttlLeft: 35, hits: 0, status: 200, encoding: 'identity' }),
    ]);
  });
});

describe('invalidation (AWS rule: invalidation)', () => {
  const fill = () => {
    const { store } = mk();
    for (const [uri, qs] of [
      ['/img.jpg', ''],
      ['/img.jpg', 'w=1'],
      ['/img.jpg', 'w=2'],
      ['/images/a.png', ''],
      ['/images/b/c.png', ''],
      ['/Images/x.png', ''],
      ['/index.html', ''],
    ] as const) {
      store.set(entry({ key: `${uri}?${qs}`, uri, querystring: qs }));
    }
    return store;
  };
  const paths = (s: ReturnType<typeof fill>) => s.list().map((l) => l.path).sort();

  it('exact path: only the variant without a query string', () => {
    const s = fill();
    expect(s.invalidate(['/img.jpg']).paths).toEqual(['/img.jpg']);
    expect(paths(s)).toContain('/img.jpg?w=1');
  });
  it('path with query: that one variant', () => {
    const s = fill();
    expect(s.invalidate(['/img.jpg?w=1']).paths).toEqual(['/img.jpg?w=1']);
  });
  it('trailing * covers all query variants and subdirectories; case-sensitive', () => {
    const s = fill();
    expect(s.invalidate(['/img.jpg*']).paths.sort()).toEqual(['/img.jpg', '/img.jpg?w=1', '/img.jpg?w=2']);
    expect(s.invalidate(['/images/*']).paths.sort()).toEqual(['/images/a.png', '/images/b/c.png']);
    expect(paths(s)).toEqual(['/Images/x.png', '/index.html']);
  });
  it('/* removes everything, reporting keys', () => {
    const s = fill();
    const r = s.invalidate(['/*']);
    expect(r.removed).toHaveLength(7);
    expect(s.stats().entries).toBe(0);
    expect(s.stats().invalidated).toBe(7);
  });
  it('an invalid path removes nothing and names the field', () => {
    const s = fill();
    expect(() => s.invalidate(['/index.html', '/a*b'])).toThrow(InvalidationPathError);
    expect(() => s.invalidate(['/index.html', '/a*b'])).toThrow(/paths\[1\]/);
    expect(s.stats().entries).toBe(7);
  });
  it('invalidateTargets removes exact uri + query string, every variant', () => {
    const s = fill();
    expect(s.invalidateTargets([{ uri: '/img.jpg', querystring: 'w=2' }]).paths).toEqual(['/img.jpg?w=2']);
    expect(s.stats().entries).toBe(6);
  });
});
