// Lets go of an origin body we will not send (replaced by a function, or an error happened).

import type { ExchangeResponse } from './exchange.js';

interface Dumpable {
  dump?: (opts?: { limit: number }) => Promise<void>;
}

export function discardBody(r: ExchangeResponse | undefined): void {
  if (!r || r.body.kind !== 'stream') return;
  const stream = r.body.stream;
  r.body = { kind: 'none' };
  // undici's body can be drained up to a limit, keeping the connection reusable; else destroy it.
  const d = (stream as unknown as Dumpable).dump;
  if (typeof d === 'function') d.call(stream, { limit: 64 * 1024 }).catch(() => stream.destroy());
  else stream.destroy();
}
