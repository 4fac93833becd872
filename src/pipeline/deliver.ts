// The last step: CloudFront's response headers (spec §5.4: X-Cache, Via, X-Amz-Cf-Pop, X-Amz-Cf-Id,
// Age) and the body, written once for buffers, piped for origin streams.

import { pipeline } from 'node:stream/promises';
import { cfHeadersToRaw } from '../event/headers.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { viewerHttpVersion } from './origin-request.js';

/** Headers we set ourselves at delivery; whatever the origin or a function left under these names goes. */
const OURS: ReadonlySet<string> = new Set(['via', 'x-cache', 'x-amz-cf-pop', 'x-amz-cf-id', 'age']);

function noBody(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

export function responseHead(env: Env, ex: Exchange, r: ExchangeResponse): string[] {
  const h = r.headers;
  const generated = r.source === 'viewer-generated' || r.source === 'origin-generated';
  if (generated) {
    // Observed on generated responses (spec §2.3 [O]).
    if (!h.server) h.server = [{ key: 'Server', value: 'CloudFront' }];
    if (!h.date) h.date = [{ key: 'Date', value: new Date().toUTCString() }];
  }
  if (r.body.kind === 'buffer') {
    h['content-length'] = [{ key: 'Content-Length', value: String(r.body.buf.length) }];
  }
  const raw = cfHeadersToRaw(h);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!OURS.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  out.push(
    'X-Cache', `${r.xCache} from cloudfront`,
    'Via', `${viewerHttpVersion(ex)}${env.viaSuffix}`,
    'X-Amz-Cf-Pop', env.config.pop,
    'X-Amz-Cf-Id', ex.requestId,
  );
  if (r.age !== undefined) out.push('Age', String(r.age));
  return out;
}

export async function deliver(env: Env, ex: Exchange): Promise<void> {
  const r = ex.response;
  if (!r) throw new Error('deliver without a response');
  const res = ex.res;
  res.writeHead(r.status, r.statusDescription, responseHead(env, ex, r));
  if (noBody(r.status, ex.req.method ?? 'GET')) {
    if (r.body.kind === 'stream') r.body.stream.resume();
    res.end();
    return;
  }
  switch (r.body.kind) {
    case 'none':
      res.end();
      return;
    case 'buffer':
      res.end(r.body.buf);
      return;
    case 'stream':
      // An origin that fails mid-body leaves the viewer with a cut connection, as CloudFront does.
      await pipeline(r.body.stream, res);
      return;
  }
}
