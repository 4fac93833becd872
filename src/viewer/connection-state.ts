// What the viewer listener and the pipeline tell each other about a connection, kept in one leaf
// module (it imports nothing) so neither side imports the other: whether the answer in progress
// ends the connection, and whether the listener answered a request itself.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Connections whose current answer ends them. */
const ending = new WeakSet<object>();

/**
 * The answer to `req` ends its connection (`Connection: close`); requests Node has already parsed
 * behind it on the same connection (pipelining) are dropped unanswered: they came after bytes that
 * cannot be trusted, and must not reach a function or the origin.
 */
export function endConnectionAfter(req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  ending.add(req.socket);
}

/** True when an earlier answer on this request's connection ends it (see endConnectionAfter). */
export function connectionEnding(req: IncomingMessage): boolean {
  return ending.has(req.socket);
}

/** Requests the listener answered (or cut) itself; the driver must not answer or log them again. */
const answered = new WeakSet<IncomingMessage>();

export function markAnsweredByListener(req: IncomingMessage): void {
  answered.add(req);
}

/** True when the listener has already answered this request (its body broke or stalled). */
export function answeredByListener(req: IncomingMessage): boolean {
  return answered.has(req);
}
