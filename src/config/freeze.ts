// The resolved configuration is read-only at run time as well as in the types: objects are frozen
// deeply, and Maps (which Object.freeze cannot stop) get mutators that throw.

function refuse(): never {
  throw new TypeError('the resolved configuration is read-only');
}

/** A Map whose mutators throw and whose values are deep-frozen. */
export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const m = new Map<K, V>(entries);
  for (const v of m.values()) deepFreeze(v);
  Object.defineProperties(m, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(m);
}

/** Freezes `v` and every plain object and array inside it; Maps are left to frozenMap. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || v instanceof Map) return v;
  for (const key of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[key]);
  return Object.freeze(v);
}
