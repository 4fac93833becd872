// The Lambda@Edge half of an invocation inside the worker: the event from the facts the proxy packed
// (event/build.ts), and after the handler, CloudFront's validation of its result for the trigger
// (event/validate-result.ts, the same rules the proxy used to run) turned into a compact answer
// (runtime/edge-protocol.ts). The proxy applies the answer without parsing or validating the result.

import { buildEvent, buildRequest, buildResponse } from '../../event/build.js';
import { diffHeaders, diffRequest } from '../../event/result-diff.js';
import type { CfEvent } from '../../event/types.js';
import { validateRequestResult, validateResponseResult } from '../../event/validate-result.js';
import { isEdgeError } from '../../rules/errors.js';
import { type EdgeAnswer, type EdgeCall, encodeEdgeAnswer } from '../edge-protocol.js';

/** The event the handler gets, and (with capture) its JSON as it was before the handler ran. */
export interface EdgeEvent {
  readonly call: EdgeCall;
  readonly event: CfEvent;
  readonly eventJson: string | undefined;
}

export function edgeEvent(call: EdgeCall): EdgeEvent {
  const event = buildEvent(call.eventType, call);
  return { call, event, eventJson: call.capture ? JSON.stringify(event) : undefined };
}

type Obj = Record<string, unknown>;

function bodyOf(result: unknown): { b?: string; e?: 1 } {
  const r = result as Obj;
  const b = r['body'];
  if (typeof b !== 'string') return {};
  return r['bodyEncoding'] === 'base64' ? { b, e: 1 } : { b };
}

/** Validates the result (its JSON, as the handler's answer crossed threads before) and says what changed. */
function answer(call: EdgeCall, resultJson: string): EdgeAnswer {
  const result: unknown = JSON.parse(resultJson);
  const t = call.eventType;
  if (t === 'viewer-request' || t === 'origin-request') {
    // A fresh copy of what the handler was given: the handler may have changed its own.
    const input = buildRequest(call.request);
    const r = validateRequestResult(t, input, result);
    if (r.kind === 'response') {
      const g = r.response;
      // The body as the function gave it: the proxy decodes it as the validator did (same bytes).
      return { k: 'g', s: g.status, d: g.statusDescription, h: g.headers, ...(g.body.length === 0 ? {} : bodyOf(result)) };
    }
    const next = r.request;
    const d = diffRequest(input, next);
    if (next.body === undefined) return d === undefined ? { k: 'u' } : { k: 'q', ...d };
    return { k: 'q', ...d, b: next.body };
  }
  if (call.response === undefined) throw new TypeError(`a ${t} invocation without a response`);
  const input = buildResponse(call.response);
  const v = validateResponseResult(t, input, result);
  const a: Extract<EdgeAnswer, { k: 'r' }> = { k: 'r' };
  let changed = false;
  if (v.status !== Number(input.status)) {
    a.s = v.status;
    changed = true;
  }
  if (v.statusDescription !== input.statusDescription) {
    a.d = v.statusDescription;
    changed = true;
  }
  const h = diffHeaders(input.headers, v.headers);
  if (h !== undefined) {
    a.h = h;
    changed = true;
  }
  if (v.body !== undefined) {
    Object.assign(a, bodyOf(result));
    changed = true;
  }
  if (v.ignoredStatus !== undefined) {
    a.i = v.ignoredStatus;
    changed = true;
  }
  return changed ? a : { k: 'u' };
}

/** The answer for the host (edge-protocol.ts), from the handler's result JSON. */
export function edgeAnswer(e: EdgeEvent, resultJson: string): string {
  let a: EdgeAnswer;
  try {
    a = answer(e.call, resultJson);
  } catch (err) {
    a = isEdgeError(err)
      ? err.field === undefined
        ? { k: 'x', c: err.code, m: err.message }
        : { k: 'x', c: err.code, f: err.field, m: err.message }
      : { k: 'x', c: 'InternalError', m: `edgeproxy: checking the result failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (e.call.capture) {
    if (e.eventJson !== undefined) a.ev = e.eventJson;
    a.raw = resultJson;
  }
  return encodeEdgeAnswer(a);
}
