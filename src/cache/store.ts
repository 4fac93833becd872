// The in-memory store: lru-cache bounded in bytes (headers counted), several Vary variants per key,
// indexes by key and by path for lookups and invalidation.
//
// lru-cache's own TTL is deliberately unused: CloudFront's TTL decides freshness, not presence. A
// stale entry is kept for revalidation (304 → RefreshHit) and stale-if-error / stale-while-
// revalidate until it is of no further use (freshness.ts isUseful) or is evicted by size.

import { LRUCache } from 'lru-cache';
import type { CfHeaders } from '../event/types.js';
import type { Clock } from './clock.js';
import { usableWithAuthorization, type CacheEntry } from './entry.js';
import { currentAge, isUseful, ttlLeft } from './freshness.js';
import { compileInvalidation, type InvalidationTarget } from './invalidation.js';
import { invalidationPath } from './key.js';
import { variantMatches } from './vary.js';

interface StoreOptions {
  /** Bound on the sum of entry sizes (body + headers + overhead), bytes. */
  maxBytes: number;
  /** Responses bigger than this stream through unstored. */
  maxObjectBytes: number;
  clock: Clock;
}

interface LookupOptions {
  /** The request carries Authorization (RFC 9111 §3.5). */
  authorization?: boolean;
}

interface CacheListing {
  key: string;
  /** `uri?querystring` as invalidation paths see it. */
  path: string;
  status: number;
  encoding: CacheEntry['encoding'];
  size: number;
  /** Current age, seconds. */
  age: number;
  /** Seconds of freshness left; negative when stale. */
  ttlLeft: number;
  hits: number;
}

interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  maxObjectBytes: number;
  hits: number;
  stores: number;
  /** Entries pushed out by the byte bound. */
  evictions: number;
  /** set() calls refused because the object exceeded maxObjectBytes or maxBytes. */
  rejectedTooLarge: number;
  invalidated: number;
}

interface InvalidationResult {
  /** Cache keys of the removed entries (each once). */
  removed: string[];
  /** Distinct `uri?querystring` removed. */
  paths: string[];
}

export interface CacheStore {
  /**
   * The stored response for `key` that may answer a request with these headers (RFC 9111 §4.1
   * Vary; §3.5 Authorization): the most recently stored match, or undefined. Fresh or not: the
   * caller asks freshness.ts. Pass the same kind of headers as to buildEntry (vary.ts variantKey).
   */
  get(key: string, requestHeaders: CfHeaders, opts?: LookupOptions): CacheEntry | undefined;
  /** Stores (or replaces the same variant of) an entry; false when it is too large to keep. */
  set(entry: CacheEntry): boolean;
  /** Counts a hit on an entry that was served. */
  markHit(entry: CacheEntry): void;
  /** Removes every variant under a key; returns how many were removed. */
  delete(key: string): number;
  /** Removes exactly this stored entry (if still stored). */
  deleteEntry(entry: CacheEntry): boolean;
  /** CloudFront invalidation (docs/cloudfront-reference.md §6.12). Throws InvalidationPathError before removing anything. */
  invalidate(paths: readonly unknown[]): InvalidationResult;
  /** RFC 9111 §4.4 targets (invalidation.ts unsafeMethodInvalidation): exact uri + key query string. */
  invalidateTargets(targets: readonly InvalidationTarget[]): InvalidationResult;
  list(): CacheListing[];
  stats(): CacheStats;
  clear(): void;
}

/** One lru-cache slot per (key, Vary names, nominated request values). */
function slotOf(e: CacheEntry): string {
  return e.varyNames.length === 0 ? e.key : `${e.key}\n${e.varyNames.join(',')}\n${e.variantKey}`;
}

function addTo(index: Map<string, Set<string>>, k: string, slot: string): void {
  let s = index.get(k);
  if (s === undefined) {
    s = new Set();
    index.set(k, s);
  }
  s.add(slot);
}

function removeFrom(index: Map<string, Set<string>>, k: string, slot: string): void {
  const s = index.get(k);
  if (s === undefined) return;
  s.delete(slot);
  if (s.size === 0) index.delete(k);
}

export function createStore(opts: StoreOptions): CacheStore {
  if (!(opts.maxBytes > 0)) throw new RangeError(`cache maxBytes must be > 0 (got ${opts.maxBytes})`);
  if (!(opts.maxObjectBytes > 0)) throw new RangeError(`cache maxObjectBytes must be > 0 (got ${opts.maxObjectBytes})`);
  const { clock } = opts;
  const maxObjectBytes = Math.min(opts.maxObjectBytes, opts.maxBytes);
  const byKey = new Map<string, Set<string>>();
  const byPath = new Map<string, Set<string>>();
  const counters = { hits: 0, stores: 0, evictions: 0, rejectedTooLarge: 0, invalidated: 0 };

  const lru = new LRUCache<string, CacheEntry>({
    maxSize: opts.maxBytes,
    maxEntrySize: maxObjectBytes,
    sizeCalculation: (e) => e.size,
    dispose: (e, slot, reason) => {
      // 'set' replaces the value under the same slot: the indexes stay right.
      if (reason === 'set') return;
      if (reason === 'evict') counters.evictions++;
      removeFrom(byKey, e.key, slot);
      removeFrom(byPath, invalidationPath(e), slot);
    },
  });

  function removeSlots(slots: Iterable<string>, result: InvalidationResult, keys: Set<string>, paths: Set<string>): void {
    for (const slot of [...slots]) {
      const e = lru.peek(slot);
      if (e === undefined) continue;
      lru.delete(slot);
      counters.invalidated++;
      if (!keys.has(e.key)) {
        keys.add(e.key);
        result.removed.push(e.key);
      }
      const p = invalidationPath(e);
      if (!paths.has(p)) {
        paths.add(p);
        result.paths.push(p);
      }
    }
  }

  return {
    get(key, requestHeaders, o) {
      const slots = byKey.get(key);
      if (slots === undefined) return undefined;
      const now = clock.now();
      let best: CacheEntry | undefined;
      let bestSlot: string | undefined;
      // Deleting the current element while iterating a Set is well-defined (dispose edits `slots`).
      for (const slot of slots) {
        const e = lru.peek(slot);
        if (e === undefined) continue;
        if (!isUseful(e, now)) {
          lru.delete(slot);
          continue;
        }
        if (!variantMatches(e, requestHeaders) || !usableWithAuthorization(e, o?.authorization === true)) continue;
        if (best === undefined || e.storedAt > best.storedAt) {
          best = e;
          bestSlot = slot;
        }
      }
      if (bestSlot !== undefined) lru.get(bestSlot); // recency for the one actually used
      return best;
    },

    set(entry) {
      const slot = slotOf(entry);
      if (entry.size > maxObjectBytes) {
        counters.rejectedTooLarge++;
        // A newer response for this variant exists even if it cannot be kept: drop the older one.
        lru.delete(slot);
        return false;
      }
      lru.set(slot, entry);
      if (!lru.has(slot)) return false;
      addTo(byKey, entry.key, slot);
      addTo(byPath, invalidationPath(entry), slot);
      counters.stores++;
      return true;
    },

    markHit(entry) {
      entry.hits++;
      counters.hits++;
    },

    delete(key) {
      const slots = byKey.get(key);
      if (slots === undefined) return 0;
      let n = 0;
      for (const slot of [...slots]) if (lru.delete(slot)) n++;
      return n;
    },

    deleteEntry(entry) {
      const slot = slotOf(entry);
      if (lru.peek(slot) !== entry) return false;
      return lru.delete(slot);
    },

    invalidate(paths) {
      const match = compileInvalidation(paths);
      const result: InvalidationResult = { removed: [], paths: [] };
      const keys = new Set<string>();
      const seen = new Set<string>();
      for (const [p, slots] of [...byPath]) if (match(p)) removeSlots(slots, result, keys, seen);
      return result;
    },

    invalidateTargets(targets) {
      const result: InvalidationResult = { removed: [], paths: [] };
      const keys = new Set<string>();
      const seen = new Set<string>();
      for (const t of targets) {
        const slots = byPath.get(invalidationPath(t));
        if (slots !== undefined) removeSlots(slots, result, keys, seen);
      }
      return result;
    },

    list() {
      const now = clock.now();
      const out: CacheListing[] = [];
      for (const e of lru.values()) {
        out.push({
          key: e.key,
          path: invalidationPath(e),
          status: e.status,
          encoding: e.encoding,
          size: e.size,
          age: currentAge(e, now),
          ttlLeft: ttlLeft(e, now),
          hits: e.hits,
        });
      }
      return out;
    },

    stats() {
      return {
        entries: lru.size,
        bytes: lru.calculatedSize,
        maxBytes: opts.maxBytes,
        maxObjectBytes,
        ...counters,
      };
    },

    clear() {
      lru.clear();
      byKey.clear();
      byPath.clear();
    },
  };
}
