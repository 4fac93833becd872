// [E]+[F] of spec §0: build the origin-side request (policies, Host, User-Agent, X-Forwarded-For,
// Via, CloudFront-* headers: spec §3.4, §7) and run the origin-request function. A generated
// response skips the origin and origin-response, and is stored in the cache (spec §5.1, §5.2).

import { revalidationHeaders } from '../cache/entry.js';
import { buildOriginRequest } from '../event/origin-request.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { runRequestTrigger } from './invoke.js';
import type { Step } from './steps.js';

export function viewerHttpVersion(ex: Exchange): string {
  return ex.req.httpVersion === '2.0' ? '2.0' : ex.req.httpVersion;
}

export async function originRequest(env: Env, ex: Exchange): Promise<Step> {
  const facts = env.facts(ex.behavior);
  const version = viewerHttpVersion(ex);
  const cloudFrontHeaders =
    facts.cloudFrontHeaders.length === 0
      ? {}
      : cloudFrontViewerHeaders(
          {
            headers: ex.receivedHeaders,
            clientIp: ex.clientIp,
            clientPort: ex.req.socket.remotePort ?? 0,
            httpVersion: version,
            protocol: 'http',
          },
          facts.cloudFrontHeaders,
          env.config.viewerHeaders,
          ex.viewerOverrides,
        );
  const request = buildOriginRequest(ex.viewerRequest, {
    origin: ex.origin,
    behavior: ex.behavior,
    config: env.config,
    clientIp: ex.clientIp,
    viewerHttpVersion: version,
    cloudFrontHeaders,
  });
  const stale = ex.cache?.stale;
  if (stale) {
    // spec §6.8: revalidate with the stored validators, in place of any the viewer sent.
    if (request.headers['if-none-match'] !== undefined) delete request.headers['if-none-match'];
    if (request.headers['if-modified-since'] !== undefined) delete request.headers['if-modified-since'];
    Object.assign(request.headers, revalidationHeaders(stale));
  }
  ex.originRequest = request;

  const assoc = ex.behavior.functions['origin-request'];
  if (!assoc) return 'origin-fetch';

  const next = await runRequestTrigger(env, ex, 'origin-request', assoc, request);
  // A generated response skips the origin and origin-response, and is stored (spec §5.1, §5.2).
  if (next === undefined) return 'cache-store';
  ex.originRequest = next;
  return 'origin-fetch';
}
