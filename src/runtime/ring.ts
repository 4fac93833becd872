// Worker → host channel: a single-producer, single-consumer ring of string records in a
// SharedArrayBuffer, plus a postMessage "wake" only when the host has none pending. Under load the host
// picks up every result a worker finished since its last look in one wake, instead of one message (and
// one thread wake-up, 5–20 µs on these VMs) per invocation (shared/perf-notes.md).
// Every record carries a sequence number; a record too large for the ring (or one that finds it full)
// goes by postMessage instead with its number, and the reader takes records strictly in number order,
// so the two paths never reorder (a function's console line always comes before its END line).
// Imported by the worker thread too: node builtins only.

const HEAD = 0; // the reader's offset into data, in bytes
const TAIL = 1; // the writer's offset into data, in bytes
const WAKE = 2; // 1 while a wake message is on its way to the reader; PARKED while the reader waits in Atomics.wait
/** The reader is blocked in Atomics.wait on WAKE (a worker with nothing to run): notify, do not post. */
const PARKED = 2;
const CTRL_BYTES = 16;
/** Record header: byte length (−1: wrap to the start), then the sequence number. */
const HEADER = 8;
const WRAP = -1;

/** Bytes of data per worker ring: results of a few hundred invocations between two looks of the host. */
const RING_BYTES = 256 * 1024;

export function createRingBuffer(bytes = RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(CTRL_BYTES + bytes);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** A record that did not fit: posted as is, taken in sequence order. */
export interface Overflow {
  seq: number;
  text: string;
}

function isOverflow(v: unknown): v is Overflow {
  return typeof v === 'object' && v !== null && typeof (v as Overflow).seq === 'number' && typeof (v as Overflow).text === 'string';
}

export class RingWriter {
  private readonly ctrl: Int32Array;
  private readonly data: Buffer;
  private readonly cap: number;
  /** Larger records go by postMessage: they would crowd out the small ones. */
  private readonly maxRecord: number;
  private seq = 0;

  constructor(
    sab: SharedArrayBuffer,
    /** Posts a wake (`0`) or an Overflow to the reader. */
    private readonly post: (m: 0 | Overflow) => void,
  ) {
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.data = Buffer.from(sab, CTRL_BYTES);
    this.cap = this.data.length;
    this.maxRecord = this.cap / 4;
  }

  write(text: string): void {
    const seq = ++this.seq;
    if (text.length > this.maxRecord || !this.put(text, seq)) {
      this.post({ seq, text });
      // A parked reader takes the message once it stops waiting: end its wait now.
      if (Atomics.load(this.ctrl, WAKE) === PARKED) Atomics.notify(this.ctrl, WAKE);
      return;
    }
    // Published (TAIL) before the flag is tested: a reader that clears the flag afterwards sees it.
    const was = Atomics.compareExchange(this.ctrl, WAKE, 0, 1);
    if (was === 0) this.post(0);
    else if (was === PARKED) Atomics.notify(this.ctrl, WAKE);
  }

  /** Copies the record in; false when it does not fit now. */
  private put(text: string, seq: number): boolean {
    const len = Buffer.byteLength(text);
    if (len > this.maxRecord) return false;
    const need = HEADER + align4(len);
    const head = Atomics.load(this.ctrl, HEAD);
    let tail = this.ctrl[TAIL] as number;
    // One header's worth always stays free, so that a full ring never looks empty (head === tail).
    if (tail >= head) {
      if (this.cap - tail < need + (head === 0 ? HEADER : 0)) {
        // Not enough room before the end: wrap, if the start has room.
        if (head <= need + HEADER) return false;
        this.data.writeInt32LE(WRAP, tail);
        tail = 0;
      }
    } else if (head - tail <= need + HEADER) return false;
    this.data.writeInt32LE(len, tail);
    this.data.writeInt32LE(seq, tail + 4);
    this.data.write(text, tail + HEADER, len, 'utf8');
    let next = tail + need;
    if (next === this.cap) next = 0;
    Atomics.store(this.ctrl, TAIL, next);
    return true;
  }
}

export class RingReader {
  private readonly ctrl: Int32Array;
  private readonly data: Buffer;
  private readonly cap: number;
  /** The next sequence number to hand out. */
  private expected = 1;
  private readonly overflow = new Map<number, string>();

  constructor(sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.data = Buffer.from(sab, CTRL_BYTES);
    this.cap = this.data.length;
  }

  /** A message from the writer arrived: clears the wake flag (before reading) and keeps an overflow record. */
  received(m: unknown): void {
    Atomics.store(this.ctrl, WAKE, 0);
    if (isOverflow(m)) this.overflow.set(m.seq, m.text);
  }

  /**
   * Blocks this thread for at most `ms` until the writer publishes a record (never on a thread that
   * must not block: only a worker with nothing to run parks). Returns at once when a wake message is
   * already on its way. The caller reads the ring afterwards in any case: a record published while
   * the wait ended is either read then or announced by a wake message.
   */
  park(ms: number): void {
    if (Atomics.compareExchange(this.ctrl, WAKE, 0, PARKED) !== 0) return;
    if (Atomics.load(this.ctrl, HEAD) === Atomics.load(this.ctrl, TAIL)) Atomics.wait(this.ctrl, WAKE, PARKED, ms);
    Atomics.compareExchange(this.ctrl, WAKE, PARKED, 0);
  }

  /** The next record in order, or undefined when it has not arrived yet. */
  next(): string | undefined {
    const over = this.overflow.get(this.expected);
    if (over !== undefined) {
      this.overflow.delete(this.expected);
      this.expected++;
      return over;
    }
    let head = this.ctrl[HEAD] as number;
    const tail = Atomics.load(this.ctrl, TAIL);
    if (head === tail) return undefined;
    let len = this.data.readInt32LE(head);
    if (len === WRAP) {
      head = 0;
      if (head === tail) return undefined;
      len = this.data.readInt32LE(head);
    }
    // The ring's next record belongs later: an overflow record before it has not arrived yet.
    if (this.data.readInt32LE(head + 4) !== this.expected) {
      if (head === 0) Atomics.store(this.ctrl, HEAD, 0);
      return undefined;
    }
    const text = this.data.toString('utf8', head + HEADER, head + HEADER + len);
    let next = head + HEADER + align4(len);
    if (next === this.cap) next = 0;
    Atomics.store(this.ctrl, HEAD, next);
    this.expected++;
    return text;
  }
}
