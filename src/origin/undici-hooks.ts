// Two places where undici's HTTP/1 client reads an origin's response more leniently or more strictly
// than CloudFront, and the hooks that correct them. Both are installed from undici's public
// `undici:client:connected` diagnostics channel, once per origin connection (nothing per request):
//
// 1. Interim responses. RFC 9110 §15.2: a client must read 1xx responses it did not ask for, and
//    CloudFront accepts one `100 Continue` before the final response (docs/cloudfront-reference.md
//    §6.13). undici reads 102 and 103 and hands them to the handler, but destroys the connection on a
//    100 ('bad response': it never sends `Expect`, and its maintainers left 100 unsupported), so the
//    viewer would get a 502. The first connection's parser prototype gets a wrapper that passes a 100
//    on under a stand-in status, so it takes undici's path for the other 1xx codes (headers dropped,
//    no body, wait for the next head). It costs one comparison per response head.
//
// 2. A reset inside a close-delimited body. undici takes a connection reset (ECONNRESET) in a body
//    delimited by the connection's close as a complete response (a work-around for macOS, which
//    reports a reset even after a full body), so a truncated body would be served as complete and
//    cached. RFC 9112 §8 and RFC 9111 §3.3: an incomplete response must be recorded as incomplete and
//    not stored. Each origin socket gets an 'error' listener ahead of undici's that marks the reset
//    while undici completes the message, and the origin client fails that message instead.
//
// If undici's internals change shape, the 100 wrapper is not installed and a warning says so
// (test/robustness/origin-faults.test.ts then fails on both points).

import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Logger } from '../log.js';

/** The status undici's 1xx path sees for a 100, and so the one the origin client's handler sees. */
export const CONTINUE_STAND_IN = 199;

type HeadersComplete = (statusCode: number, upgrade: boolean, shouldKeepAlive: boolean) => number;

const PATCHED = Symbol('edgeproxy.continue');

let installed = false;
let patched = false;
/** True while an origin socket's ECONNRESET is being handled (synchronously) by undici. */
let resetting = false;

/** True inside undici's handling of a connection reset: a message it completes now is cut, not complete. */
export function completingOnReset(): boolean {
  return resetting;
}

function parserSymbol(): symbol | undefined {
  try {
    const symbols = createRequire(import.meta.url)('undici/lib/core/symbols.js') as { kParser?: unknown };
    return typeof symbols.kParser === 'symbol' ? symbols.kParser : undefined;
  } catch {
    return undefined;
  }
}

function patchContinue(proto: Record<PropertyKey, unknown>): boolean {
  if (proto[PATCHED] === true) return true;
  const original = proto.onHeadersComplete;
  if (typeof original !== 'function') return false;
  const onHeadersComplete = original as HeadersComplete;
  proto.onHeadersComplete = function (this: unknown, statusCode: number, upgrade: boolean, shouldKeepAlive: boolean): number {
    return onHeadersComplete.call(this, statusCode === 100 ? CONTINUE_STAND_IN : statusCode, upgrade, shouldKeepAlive);
  };
  proto[PATCHED] = true;
  return true;
}

function markReset(err: Error & { code?: string }): void {
  if (err.code !== 'ECONNRESET') return;
  resetting = true;
  queueMicrotask(() => {
    resetting = false;
  });
}

/** Installs both hooks for origin connections made from now on. Idempotent. */
export function installUndiciHooks(log: Pick<Logger, 'warn'>): void {
  if (installed) return;
  installed = true;
  const kParser = parserSymbol();
  if (kParser === undefined) {
    log.warn("origin client: undici's parser symbol was not found; an origin's 100 Continue will be answered 502 (undici's own behaviour)");
    return;
  }
  diagnosticsChannel.channel('undici:client:connected').subscribe((message: unknown) => {
    const socket = (message as { socket?: (Record<symbol, unknown> & NodeJS.EventEmitter) | undefined } | null)?.socket;
    const parser = socket?.[kParser];
    // Another copy of undici (Node's own fetch) publishes here too, with other symbols: not ours.
    if (socket === undefined || parser === undefined || parser === null || typeof parser !== 'object') return;
    socket.prependListener('error', markReset);
    if (!patched) {
      patched = patchContinue(Object.getPrototypeOf(parser) as Record<PropertyKey, unknown>);
      if (!patched) log.warn("origin client: undici's HTTP/1 parser has no onHeadersComplete; an origin's 100 Continue will be answered 502");
    }
  });
}
