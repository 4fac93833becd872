// [E]+[F] of spec §0: build the origin-side request (policies, Host, User-Agent, X-Forwarded-For,
// Via, CloudFront-* headers: spec §3.4, §7) and run the origin-request function. A generated
// response skips the origin and origin-response, and is stored in the cache (spec §5.1, §5.2).

import { revalidationHeaders } from '../cache/entry.js';
import { applyBodyResult, makeRequestBody } from '../event/body.js';
import { buildOriginRequest } from '../event/origin-request.js';
import { validateRequestResult } from '../event/validate-result.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { blame, invokeFunction, makeEvent } from './invoke.js';
import { readRequestBody } from './request-body.js';
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
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
    Object.assign(request.headers, revalidationHeaders(stale));
  }
  ex.originRequest = request;

  const assoc = ex.behavior.functions['origin-request'];
  if (!assoc) return 'origin-fetch';

  let original: Buffer | undefined;
  if (assoc.includeBody) {
    original = await readRequestBody(ex);
    request.body = makeRequestBody(original, 'origin-request');
  }
  const result = await invokeFunction(env, ex, 'origin-request', assoc, makeEvent(env, ex, 'origin-request', request));
  try {
    const r = validateRequestResult('origin-request', request, result);
    if (r.kind === 'response') {
      ex.response = {
        status: r.response.status,
        statusDescription: r.response.statusDescription,
        headers: r.response.headers,
        body: { kind: 'buffer', buf: r.response.body },
        source: 'origin-generated',
        xCache: 'LambdaGeneratedResponse',
      };
      return 'cache-store';
    }
    const next = r.request;
    if (original !== undefined) {
      ex.requestBody = { kind: 'buffer', buf: applyBodyResult(original, next.body, 'origin-request') };
    }
    delete next.body;
    ex.originRequest = next;
    return 'origin-fetch';
  } catch (e) {
    throw blame(e, env, 'origin-request', assoc.functionId);
  }
}
