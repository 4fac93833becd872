// Lets go of an origin body we will not send (replaced by a function, or an error happened).

import type { ExchangeResponse } from './exchange.js';

export function discardBody(r: ExchangeResponse | undefined): void {
  if (!r || r.body.kind !== 'stream') return;
  const body = r.body.stream;
  r.body = { kind: 'none' };
  body.discard();
}
