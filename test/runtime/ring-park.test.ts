// The host → worker direction of the ring (ring.ts): a worker with nothing to run parks in
// Atomics.wait; the proxy's write notifies it instead of posting a wake message, and no record is
// lost when a write lands while the wait ends. The reader runs in a real worker thread (built ring.js).

import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRingBuffer, RingWriter, type Overflow } from '../../src/runtime/ring.js';

const RING_JS = pathToFileURL(new URL('../../dist/src/runtime/ring.js', import.meta.url).pathname).href;

// Parks for up to 200 ms at a time, reads what came, lets its event loop take wake messages (as the
// function worker does between parks), reports it; ends after `n` records.
const READER = `
import { workerData, parentPort } from 'node:worker_threads';
const { RingReader } = await import(workerData.ringJs);
const r = new RingReader(workerData.sab);
const got = [];
let parks = 0;
parentPort.on('message', (m) => { r.received(m); });
parentPort.postMessage('ready');
while (got.length < workerData.n) {
  r.park(200);
  parks++;
  for (let t = r.next(); t !== undefined; t = r.next()) got.push(t);
  await new Promise((resolve) => setImmediate(resolve));
  if (parks > 5000) break;
}
parentPort.postMessage({ got, parks });
`;

describe('a parked reader', () => {
  it('is woken by writes (no wake message posted while it waits) and gets every record in order', async () => {
    const sab = createRingBuffer(4096);
    const n = 200;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(READER)}`), { workerData: { sab, n, ringJs: RING_JS } });
    const posted: Array<0 | Overflow> = [];
    const writer = new RingWriter(sab, (m) => {
      posted.push(m);
      w.postMessage(m);
    });
    try {
      const result = new Promise<{ got: string[]; parks: number }>((resolve, reject) => {
        w.on('message', (m: unknown) => {
          if (m !== 'ready') resolve(m as { got: string[]; parks: number });
        });
        w.on('error', reject);
      });
      await new Promise<void>((r) => w.once('message', () => r()));
      const sent: string[] = [];
      for (let i = 0; i < n; i++) {
        const s = `invocation ${i} ${'x'.repeat(i % 50)}`;
        sent.push(s);
        writer.write(s);
        // Let the reader park between some writes, so notifies and plain reads both happen.
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const { got, parks } = await result;
      expect(got).toEqual(sent);
      // A record that wakes a parked reader is not also announced by message: far fewer wakes than records.
      expect(posted.filter((m) => m === 0).length).toBeLessThan(n / 2);
      expect(parks).toBeGreaterThan(0);
    } finally {
      await w.terminate();
    }
  });
});
