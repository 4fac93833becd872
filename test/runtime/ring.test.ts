import { describe, expect, it } from 'vitest';
import { createRingBuffer, RingReader, RingWriter, type Overflow } from '../../src/runtime/ring.js';

function pair(bytes: number): { writer: RingWriter; reader: RingReader; posted: Array<0 | Overflow>; drain(): string[] } {
  const sab = createRingBuffer(bytes);
  const posted: Array<0 | Overflow> = [];
  const writer = new RingWriter(sab, (m) => posted.push(m));
  const reader = new RingReader(sab);
  return {
    writer,
    reader,
    posted,
    drain() {
      for (const m of posted.splice(0)) reader.received(m);
      const out: string[] = [];
      for (let s = reader.next(); s !== undefined; s = reader.next()) out.push(s);
      return out;
    },
  };
}

describe('worker → host ring', () => {
  it('delivers records in order with one wake per look, whatever the reader has not yet read', () => {
    const p = pair(1024);
    p.writer.write('a');
    p.writer.write('é✓ two');
    p.writer.write('');
    // One wake until the reader has looked.
    expect(p.posted).toEqual([0]);
    expect(p.drain()).toEqual(['a', 'é✓ two', '']);
    p.writer.write('next');
    expect(p.posted).toEqual([0]);
    expect(p.drain()).toEqual(['next']);
  });

  it('wraps around the end many times without losing or reordering a record', () => {
    const p = pair(256);
    const sent: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 500; i++) {
      const s = `record ${i} ${'x'.repeat(i % 37)}`;
      sent.push(s);
      p.writer.write(s);
      if (i % 3 === 0) got.push(...p.drain());
    }
    got.push(...p.drain());
    expect(got).toEqual(sent);
  });

  it('sends what does not fit by message and still hands everything out in order', () => {
    const p = pair(256);
    const big = 'B'.repeat(300); // larger than the ring
    p.writer.write('1');
    p.writer.write(big);
    p.writer.write('3');
    // A full ring overflows too: write without reading.
    for (let i = 4; i < 40; i++) p.writer.write(`r${i}-${'y'.repeat(20)}`);
    const overflowed = p.posted.filter((m) => m !== 0).length;
    expect(overflowed).toBeGreaterThan(1);
    const got = p.drain();
    expect(got.slice(0, 3)).toEqual(['1', big, '3']);
    expect(got.slice(3)).toEqual(Array.from({ length: 36 }, (_, k) => `r${k + 4}-${'y'.repeat(20)}`));
  });

  it('waits for an overflow record that has not arrived before handing out the ring records after it', () => {
    const p = pair(1024);
    p.writer.write('first');
    p.writer.write('Z'.repeat(2000));
    p.writer.write('third');
    const [wake, over] = [p.posted[0], p.posted[1]];
    expect(wake).toBe(0);
    p.reader.received(0);
    expect(p.reader.next()).toBe('first');
    // 'third' is in the ring, but the overflow record comes first.
    expect(p.reader.next()).toBeUndefined();
    p.reader.received(over);
    expect(p.reader.next()).toBe('Z'.repeat(2000));
    expect(p.reader.next()).toBe('third');
    expect(p.reader.next()).toBeUndefined();
  });
});
