// The worker → host channel (src/runtime/ring.ts): one ~1 KB result written and read back, the part
// of a function hop that replaced a postMessage per result.

import { fnExport, importSrc, type MicroCase } from './harness.js';

interface Writer {
  write(text: string): void;
}
interface Reader {
  received(m: unknown): void;
  next(): string | undefined;
}
type WriterCtor = new (sab: SharedArrayBuffer, post: (m: unknown) => void) => Writer;
type ReaderCtor = new (sab: SharedArrayBuffer) => Reader;
type CreateRing = (bytes?: number) => SharedArrayBuffer;

const RESULT = `7\t1048576\t${JSON.stringify({ uri: '/index.html', headers: { host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }] }, body: 'x'.repeat(900) })}`;

export const cases: MicroCase[] = [
  {
    name: 'ring: write + read one 1 KB result',
    async setup() {
      const mod = await importSrc('runtime/ring.js');
      const create = fnExport<CreateRing>(mod, 'createRingBuffer');
      if (typeof create === 'string') return create;
      if (typeof mod === 'string') return mod;
      const W = mod['RingWriter'] as WriterCtor | undefined;
      const R = mod['RingReader'] as ReaderCtor | undefined;
      if (typeof W !== 'function' || typeof R !== 'function') return 'runtime/ring.js has no RingWriter/RingReader';
      const sab = create();
      const reader = new R(sab);
      const writer = new W(sab, (m) => reader.received(m));
      writer.write(RESULT);
      if (reader.next() !== RESULT) return 'the ring did not give the record back';
      return () => {
        writer.write(RESULT);
        return reader.next();
      };
    },
  },
];
