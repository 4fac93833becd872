// Reads the viewer's body when a function asked for it (includeBody); otherwise it stays in the
// socket and streams to the origin.

import type { Exchange } from './exchange.js';

export async function readRequestBody(ex: Exchange): Promise<Buffer> {
  if (ex.requestBody.kind === 'buffer') return ex.requestBody.buf;
  const chunks: Buffer[] = [];
  for await (const chunk of ex.req) chunks.push(chunk as Buffer);
  const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  ex.requestBody = { kind: 'buffer', buf };
  return buf;
}
