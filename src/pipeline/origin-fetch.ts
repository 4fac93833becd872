// The origin fetch between [F] and [G] (docs/cloudfront-reference.md §0): send the origin-side request, possibly redirected
// by the origin-request function (request.origin), and stream the answer back without buffering it.

import { STATUS_CODES } from 'node:http';
import { originRequestToFetch } from '../event/origin-request.js';
import { rawToCfHeadersEndToEnd } from '../event/hop-by-hop.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { Next } from './steps.js';

/** Removes framing headers: the body we send may differ from the viewer's (replaced by a function). */
function withoutFraming(raw: string[], keepLength: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'transfer-encoding' || (!keepLength && name === 'content-length')) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

export async function originFetch(env: Env, ex: Exchange): Promise<Next<'origin-fetch'>> {
  const request = ex.originRequest;
  if (!request) throw new Error('origin-fetch without an origin request');
  const { headers, origin } = originRequestToFetch(request, ex.requestId);
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  const body = bodyless ? null : ex.requestBody.kind === 'buffer' ? ex.requestBody.buf : ex.req;
  if (ex.cache) ex.cache.requestTime = env.cache.clock.now();
  const answer = await env.origins.fetch({
    target: { protocol: origin.protocol, domainName: origin.domainName, port: origin.port },
    path: `${origin.path}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`,
    method: request.method,
    headers: withoutFraming(headers, body !== null && !Buffer.isBuffer(body)),
    body,
    readTimeoutMs: origin.readTimeout * 1000,
    keepaliveTimeoutMs: origin.keepaliveTimeout * 1000,
    connectTimeoutMs: ex.origin.connectTimeout * 1000,
  });
  ex.response = {
    status: answer.status,
    statusDescription: answer.statusText || STATUS_CODES[answer.status] || '',
    headers: rawToCfHeadersEndToEnd(answer.rawHeaders),
    body: { kind: 'stream', stream: answer.body },
    source: 'origin',
    xCache: answer.status >= 400 ? 'Error' : 'Miss',
  };
  return 'origin-response';
}
