// The inspector's bounded memory: the last N exchanges and at most B bytes of them (docs/inspector.md),
// oldest dropped first. A record's size is estimated once, when it is added (sizeOf), from the strings
// that dominate it; the ring never holds anything but the records themselves.

interface Sized<T> {
  readonly value: T;
  readonly bytes: number;
}

export class BoundedRing<T> {
  private items: Array<Sized<T>> = [];
  /** Index of the oldest item still kept (items before it are dropped; compacted now and then). */
  private head = 0;
  private total = 0;

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {
    if (!(maxItems >= 1)) throw new RangeError(`ring: maxItems must be ≥ 1 (got ${maxItems})`);
    if (!(maxBytes >= 1)) throw new RangeError(`ring: maxBytes must be ≥ 1 (got ${maxBytes})`);
  }

  /** Adds `value`; drops the oldest until both bounds hold. An item larger than maxBytes alone is kept alone. Returns what was dropped. */
  push(value: T, bytes: number): T[] {
    this.items.push({ value, bytes });
    this.total += bytes;
    const dropped: T[] = [];
    while (this.size > 1 && (this.size > this.maxItems || this.total > this.maxBytes)) {
      const old = this.items[this.head] as Sized<T>;
      this.head++;
      this.total -= old.bytes;
      dropped.push(old.value);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.total;
  }

  /** Newest first. */
  newestFirst(): T[] {
    const out: T[] = [];
    for (let i = this.items.length - 1; i >= this.head; i--) out.push((this.items[i] as Sized<T>).value);
    return out;
  }

  find(pred: (v: T) => boolean): T | undefined {
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const v = (this.items[i] as Sized<T>).value;
      if (pred(v)) return v;
    }
    return undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.total = 0;
  }
}
