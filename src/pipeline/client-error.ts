// A request Node's HTTP parser rejects never reaches the pipeline: the viewer listener's clientError
// handler answers it here, as CloudFront answers a request it cannot parse — its status, its HTML
// error page, X-Cache: Error from cloudfront, Via, X-Amz-Cf-Pop and a request id — and closes the
// connection (the rest of the bytes cannot be trusted to start a request).

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpDateNow } from '../cache/ttl.js';
import { EdgeError, ERRORS, type ErrorCode } from '../errors.js';
import type { Env } from './env.js';
import { newRequestId } from './run.js';
import { errorPage } from './synth.js';

/**
 * Node's parser error codes that are not BadRequest. HPE_HEADER_OVERFLOW: the request line and
 * headers are over the listener's limit (64 KiB, above CloudFront's 20,480 bytes) — CloudFront answers
 * an over-long request 413 (docs/cloudfront-reference.md §3.5), not 431.
 */
const NODE_CODES: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'RequestTooLarge',
  // The listener's request-head timeout (viewer/listener.ts): RFC 9110 §15.5.9.
  ERR_HTTP_REQUEST_TIMEOUT: 'RequestTimeout',
};

/** The error code for a clientError; any parse failure not listed above is BadRequest. */
function clientErrorCode(nodeCode: string | undefined): ErrorCode {
  return (nodeCode !== undefined && NODE_CODES[nodeCode]) || 'BadRequest';
}

/** The whole response, status line to body, for `code`. */
function clientErrorResponse(env: Pick<Env, 'config' | 'viaSuffix'>, code: ErrorCode, requestId: string): string {
  const { status, xCache, pageMessage } = ERRORS[code];
  // The page is latin1 like every error page (synth.ts); its text is ASCII, so its length is its byte count.
  const body = errorPage(status, pageMessage, requestId);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    `Server: CloudFront\r\nDate: ${httpDateNow()}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` +
    'Connection: close\r\n' +
    `X-Cache: ${xCache} from cloudfront\r\nVia: 1.1${env.viaSuffix}\r\nX-Amz-Cf-Pop: ${env.config.pop}\r\nX-Amz-Cf-Id: ${requestId}\r\n\r\n` +
    body
  );
}

/** The EdgeError for a Node parser error (`HPE_…`): what the viewer is answered and the log says. */
export function clientErrorOf(err: Error & { code?: string }): EdgeError {
  return new EdgeError(clientErrorCode(err.code), `malformed request: ${err.code ?? 'error'}: ${err.message}`, { stage: 'request' });
}

/**
 * Answers `e` on the socket with CloudFront's error page and ends it; one log line, `what` naming the
 * request when it was parsed (`POST /upload`), else `(unparsed request)`. The caller decides when the
 * socket is free to take the answer (viewer/listener.ts: after earlier pipelined responses).
 */
export function answerOnSocket(env: Pick<Env, 'config' | 'viaSuffix' | 'log'>, e: EdgeError, socket: Duplex, what = '(unparsed request)'): void {
  const requestId = newRequestId();
  const line = `${requestId} ${what} → ${e.status} ${e.describe()}`;
  if (e.kind === 'user') env.log.warn(line);
  else env.log.error(line);
  socket.end(clientErrorResponse(env, e.code, requestId), 'latin1');
}
