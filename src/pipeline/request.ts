// [A] of docs/cloudfront-reference.md §0: the viewer's request as CloudFront reads it, before anything
// runs for it — the request head checked (viewer/guard.ts), the headers read into CloudFront's shape,
// CloudFront's request limits, the geographic restriction (§17), the viewer protocol policy (§16: a
// redirect to HTTPS is answered at once) and the behavior's allowed methods enforced. A restricted
// behavior then checks the signature (restrict-viewer-access); every other request goes to its
// viewer-request function.

import { STATUS_CODES } from 'node:http';
import { geoAllows } from '../distribution/geo-restriction.js';
import { httpsLocation, protocolAnswer, redirectBody } from '../distribution/viewer-protocol.js';
import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import { viewerHeadersFromRaw } from '../event/viewer-headers.js';
import { guardViewerRequest } from '../viewer/guard.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { StepResult } from './steps.js';

function headerBytes(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += (raw[i] as string).length + 2;
  return n;
}

/** The viewer's headers into the exchange; `uri` and `querystring` are already there (the driver chose the behavior from them). */
function readViewerRequest(env: Env, ex: Exchange): void {
  const req = ex.req;
  const target = req.url ?? '/';
  // docs/cloudfront-reference.md §3.5: URL ≤ 8,192 bytes and request line + headers ≤ 20,480 bytes, else 413.
  if (target.length > env.config.limits.maxUrlLength) {
    throw new EdgeError('RequestTooLarge', `request URL is ${target.length} bytes, over ${env.config.limits.maxUrlLength}`, { stage: 'request' });
  }
  if (target.length + headerBytes(req.rawHeaders) > env.config.limits.maxRequestHeaderBytes) {
    throw new EdgeError('RequestTooLarge', `request headers exceed ${env.config.limits.maxRequestHeaderBytes} bytes`, { stage: 'request' });
  }
  // Disallowed and x-edgeproxy-* headers never reach the event (docs/cloudfront-reference.md §3.1); the latter carry overrides.
  const { headers, overrides } = viewerHeadersFromRaw(req.rawHeaders);
  const { uri, querystring } = ex.viewerRequest;
  ex.viewerRequest = { clientIp: ex.clientIp, method: req.method ?? 'GET', uri, querystring, headers };
  ex.viewerOverrides = overrides;
  ex.receivedHeaders = headers;
}

function hasBody(ex: Exchange): boolean {
  const raw = ex.req.rawHeaders;
  const length = rawHeaderValue(raw, 'content-length');
  return (length !== undefined && length !== '0') || rawHeaderValue(raw, 'transfer-encoding') !== undefined;
}

const COUNTRY = 'cloudfront-viewer-country';

/** docs/cloudfront-reference.md §17: the viewer's country, as CloudFront-Viewer-Country would carry it. */
function checkGeoRestriction(env: Env, ex: Exchange): void {
  const o = ex.viewerOverrides;
  const country = Object.hasOwn(o, COUNTRY) ? o[COUNTRY] : env.config.viewerHeaders[COUNTRY];
  if (!geoAllows(env.config.geoRestriction, country)) {
    throw new EdgeError('ClientGeoBlocked', `viewer country ${country === undefined ? '(unknown)' : country} is not allowed by restrictions.geoRestriction (${env.config.geoRestriction.restrictionType})`, { stage: 'request' });
  }
}

/**
 * docs/cloudfront-reference.md §16: an HTTP request under redirect-to-https or https-only. Returns true
 * when it was answered with the redirect (in `ex.response`); throws for a refusal.
 */
function applyViewerProtocolPolicy(env: Env, ex: Exchange, method: string): boolean {
  const answer = protocolAnswer(ex.behavior.viewerProtocolPolicy ?? 'allow-all', method, ex.viewerHttpVersion);
  if (answer === undefined) return false;
  if (answer === 'forbidden') {
    throw new EdgeError('HttpsRequired', `${method} over HTTP to a behavior (${ex.behavior.pathPattern}) whose viewerProtocolPolicy is ${ex.behavior.viewerProtocolPolicy}`, { stage: 'request' });
  }
  const body = Buffer.from(redirectBody(answer), 'latin1');
  const host = ex.receivedHeaders.host?.[0]?.value ?? env.config.distributionDomainName;
  ex.response = {
    status: answer,
    statusDescription: STATUS_CODES[answer] ?? '',
    headers: {
      location: [{ key: 'Location', value: httpsLocation(host, ex.req.url ?? '/', env.listeners.httpsPort) }],
      'content-type': [{ key: 'Content-Type', value: 'text/html' }],
    },
    body: { kind: 'buffer', buf: body },
    // CloudFront's own answer before any function: Server and Date as on a generated response.
    source: 'viewer-generated',
    xCache: 'Redirect',
  };
  return true;
}

export function request(env: Env, ex: Exchange): StepResult<'request'> {
  // Host, request target and framing first: a refused request runs nothing (viewer/guard.ts).
  guardViewerRequest(ex.req);
  readViewerRequest(env, ex);
  const method = ex.viewerRequest.method;
  // Geo restriction, then the viewer protocol policy (§17, §16): before signatures and functions (docs/decisions.md).
  if (env.config.geoRestriction.restrictionType !== 'none') checkGeoRestriction(env, ex);
  if (ex.viewerProtocol === 'http' && ex.behavior.viewerProtocolPolicy !== undefined && ex.behavior.viewerProtocolPolicy !== 'allow-all') {
    // The redirect goes straight to the viewer: not cached, no function (§16).
    if (applyViewerProtocolPolicy(env, ex, method)) return 'deliver';
  }
  if (!env.facts(ex.behavior).allowedMethods.has(method)) {
    throw new EdgeError('MethodNotAllowed', `method ${method} is not in the behavior's allowed methods`, { stage: 'request' });
  }
  // docs/cloudfront-reference.md §3.4: a GET with a body is refused with 403.
  if ((method === 'GET' || method === 'HEAD') && hasBody(ex)) {
    throw new EdgeError('GetWithBody', `${method} request carries a body`, { stage: 'request' });
  }
  // docs/cloudfront-reference.md §15: a behavior with trusted key groups serves only signed requests.
  return ex.behavior.trustedKeyGroups === undefined ? 'viewer-request' : 'restrict-viewer-access';
}
