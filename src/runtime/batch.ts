// Host → worker batching: everything dispatched to one worker in one turn of the event loop goes as one
// message. The per-message cost (a thread wake-up) dominates a small event's hop (docs/runtime.md: how
// invocations cross threads).

import type { Slot } from './slot.js';

export class Batch {
  readonly #pending = new Set<Slot>();
  #scheduled = false;
  /** Bound once: no closure per turn. */
  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const slot of this.#pending) slot.flush();
    this.#pending.clear();
  };

  /** Posts `slot`'s outbox once this turn's requests have been dispatched. */
  add(slot: Slot): void {
    this.#pending.add(slot);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }
}
