// What the viewer listener checks in a parsed request head before anything runs for it (no function,
// no cache lookup, no origin fetch): the Host header, the request target and the framing rules Node's
// parser leaves to the application. A refused request gets CloudFront's error page (BadRequest or
// NotImplemented) and its connection is closed after the answer.

import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { EdgeError } from '../errors.js';

/**
 * RFC 9110 §7.2 / RFC 3986 §3.2.2: `Host = uri-host [ ":" port ]`, uri-host an IP-literal
 * (`[v6]`), an IPv4 address or a reg-name (unreserved, pct-encoded, sub-delims). An IPv4 address is
 * a reg-name by this grammar, so it needs no branch of its own. The port is at most 5 digits.
 */
const HOST = /^(?:\[([0-9A-Fa-f:.]+)\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::([0-9]{0,5}))?$/;

/** The last Host value that passed: viewers repeat the same Host on every request. */
let lastGoodHost = '';

/** Why `value` is not a valid `host[:port]`, or undefined when it is. */
function hostProblem(value: string): string | undefined {
  if (value === lastGoodHost) return undefined;
  // RFC 9110 §4.2.1: an http(s) URI never has an empty host.
  if (value === '') return 'the Host header is empty';
  const m = HOST.exec(value);
  if (m === null) return `the Host header ${JSON.stringify(value)} is not a valid host[:port]`;
  if (m[1] !== undefined && !isIPv6(m[1])) return `the Host header ${JSON.stringify(value)} has an invalid IPv6 address`;
  if (m[2] !== undefined && m[2] !== '' && Number(m[2]) > 65535) return `the Host header ${JSON.stringify(value)} has a port over 65535`;
  lastGoodHost = value;
  return undefined;
}

/** `http://authority/…` or `https://…` (RFC 9112 §3.2.2), case-insensitive scheme: [authority end, or -1]. */
function absoluteAuthority(target: string): { start: number; end: number } | undefined {
  const c = target.charCodeAt(0);
  if (c !== 0x68 && c !== 0x48) return undefined; // h / H
  const sep = target.indexOf('://');
  if (sep !== 4 && sep !== 5) return undefined;
  const scheme = target.slice(0, sep).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const start = sep + 3;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
  return { start, end };
}

function refuse(message: string, field: string): EdgeError {
  return new EdgeError('BadRequest', message, { stage: 'request', field });
}

/**
 * The refusal for a parsed request head, or undefined when it may go on. An absolute-form target's
 * authority replaces the Host header (RFC 9112 §3.2.2: the server MUST ignore the received Host).
 * One pass over the raw headers; no per-request allocation on the common path.
 */
export function checkViewerRequest(req: IncomingMessage): EdgeError | undefined {
  const raw = req.rawHeaders;
  const http10 = req.httpVersionMajor === 1 && req.httpVersionMinor === 0;
  let hostIndex = -1;
  let hosts = 0;
  let te: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4) {
      if (name.toLowerCase() === 'host') {
        hosts++;
        hostIndex = i + 1;
      }
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      te = te === undefined ? (raw[i + 1] as string) : `${te}, ${raw[i + 1] as string}`;
    }
  }
  // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one
  // Host line or an invalid Host value.
  if (hosts > 1) return refuse(`${hosts} Host header lines (RFC 9112 §3.2 allows one)`, 'headers.host');
  if (hosts === 0 && !http10) return refuse('an HTTP/1.1 request without a Host header (RFC 9112 §3.2)', 'headers.host');

  const target = req.url ?? '';
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    const abs = absoluteAuthority(target);
    if (abs === undefined) {
      // asterisk-form (RFC 9112 §3.2.4) has no resource to fetch; authority-form is CONNECT's (Node
      // hands CONNECT to the listener's 'connect' event, see viewer/listener.ts).
      const what = target === '*' ? 'asterisk-form' : 'a request target that is neither origin-form nor absolute-form';
      return refuse(`${what} ${JSON.stringify(target.slice(0, 100))} (RFC 9112 §3.2)`, 'uri');
    }
    const authority = target.slice(abs.start, abs.end);
    // RFC 9110 §4.2.4: no userinfo in http(s) URIs.
    const problem = authority.includes('@') ? 'the request target has userinfo' : hostProblem(authority);
    if (problem !== undefined) return refuse(`absolute-form target: ${problem.replace('the Host header', 'its authority')}`, 'uri');
    if (hostIndex !== -1) raw[hostIndex] = authority;
    else raw.push('Host', authority);
  } else if (hostIndex !== -1) {
    const problem = hostProblem(raw[hostIndex] as string);
    if (problem !== undefined) return refuse(problem, 'headers.host');
  }
  // RFC 9112 §3.2: request-target has no fragment.
  if (target.includes('#')) return refuse('the request target has a fragment (#)', 'uri');

  if (te !== undefined) {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
    if (http10) return refuse('Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)', 'headers.transfer-encoding');
    const codings = te.toLowerCase().split(',').map((c) => c.trim());
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      // RFC 9112 §6.3: chunked must be the final coding, applied once (§7), else the length cannot be
      // determined; §6.1: a coding the server does not understand is 501. Only chunked is supported
      // (docs/cloudfront-reference.md §6.13).
      const last = codings[codings.length - 1];
      if (last !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1) {
        return refuse(`Transfer-Encoding ${JSON.stringify(te)}: chunked must be the final coding, applied once (RFC 9112 §6.3)`, 'headers.transfer-encoding');
      }
      return new EdgeError('NotImplemented', `Transfer-Encoding ${JSON.stringify(te)}: only chunked is supported (RFC 9112 §6.1)`, {
        stage: 'request',
        field: 'headers.transfer-encoding',
      });
    }
  }
  return undefined;
}

/**
 * The pipeline's entry check: throws the refusal, which the driver answers with CloudFront's error
 * page and `Connection: close` (ERRORS[code].closesConnection) — a request this malformed may be an
 * attempt to desynchronise the connection, so nothing after it on the connection is trusted.
 */
export function guardViewerRequest(req: IncomingMessage): void {
  const refused = checkViewerRequest(req);
  if (refused === undefined) return;
  throw refused;
}
