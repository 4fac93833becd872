// Restrict viewer access (docs/cloudfront-reference.md §15): a behavior with trusted key groups serves a
// request only when it carries a valid signature — in its query string (a signed URL) or, when the
// query string has none of the signing parameters, in its cookies (signed cookies). CloudFront checks
// it after reading the request and before the viewer-request function and the cache (§15.6), against
// the URL the viewer asked for; the rules are in distribution/signed-urls.ts. A refusal is a 403 with
// CloudFront's XML error; the log line says which check failed.

import { checkSignature, signingValuesFromCookies, signingValuesFromQuery } from '../distribution/signed-urls.js';
import { EdgeError } from '../errors.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { StepResult } from './steps.js';

function cookieHeaders(ex: Exchange): string[] {
  const h = ex.receivedHeaders.cookie;
  return h === undefined ? [] : h.map((e) => e.value);
}

/** The URL the policy's Resource is compared with (§15.3): scheme, the Host the viewer used, path, and its own query string. */
function requestUrl(env: Env, ex: Exchange, query: string): string {
  const host = ex.receivedHeaders.host?.[0]?.value ?? env.config.distributionDomainName;
  return `${ex.viewerProtocol}://${host}${ex.viewerRequest.uri}${query === '' ? '' : `?${query}`}`;
}

export function restrictViewerAccess(env: Env, ex: Exchange): StepResult<'restrict-viewer-access'> {
  const trusted = ex.behavior.trustedKeyGroups;
  if (trusted === undefined) return 'viewer-request';
  const { querystring } = ex.viewerRequest;
  const signedUrl = signingValuesFromQuery(querystring);
  const values = signedUrl?.values ?? signingValuesFromCookies(cookieHeaders(ex));
  const url = requestUrl(env, ex, signedUrl?.rest ?? querystring);
  const refusal = checkSignature(trusted, values, { url, clientIp: ex.clientIp, now: env.cache.clock.now() });
  if (refusal !== undefined) throw new EdgeError(refusal.code, refusal.reason, { stage: 'request', field: refusal.field });
  return 'viewer-request';
}
