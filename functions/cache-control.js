/*
 * Trigger: origin-response.
 *
 * Gives successful origin responses a Cache-Control header when the origin sent none, chosen by
 * Content-Type:
 *   text/html                                   -> max-age=60     (pages change; keep them short)
 *   text/css, JavaScript, images, fonts         -> max-age=86400  (assets)
 *   anything else                               -> unchanged
 * Error responses (4xx/5xx) and responses that already carry Cache-Control keep what the origin
 * sent, and the status is never changed. The modified response is what CloudFront caches, so the
 * header also sets the edge TTL (within the cache policy's minimum and maximum TTL).
 *
 * Deploy as-is: Node.js 20 or 22 runtime in us-east-1, handler `index.handler` (save this file as
 * index.js; it is CommonJS), publish a version and associate it with a cache behavior's
 * origin-response event.
 */
'use strict';

const HTML = 'max-age=60';
const ASSET = 'max-age=86400';
const BY_TYPE = new Map([
  ['text/html', HTML],
  ['text/css', ASSET],
  ['text/javascript', ASSET],
  ['application/javascript', ASSET],
]);
const BY_FAMILY = new Map([
  ['image', ASSET],
  ['font', ASSET],
]);

function cacheControlFor(contentType) {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return BY_TYPE.get(type) || BY_FAMILY.get(type.split('/')[0]);
}

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  const status = Number(response.status);

  if (status < 200 || status > 299 || headers['cache-control']) return response;

  const contentType = headers['content-type'] && headers['content-type'][0] ? headers['content-type'][0].value : '';
  const value = cacheControlFor(contentType);
  if (value) headers['cache-control'] = [{ key: 'Cache-Control', value }];
  return response;
};
