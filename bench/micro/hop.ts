// A viewer-request hop's own work on each side of the thread boundary (docs/runtime.md: how
// invocations cross threads), for the bench's set-header function (the request plus one header),
// with the 12 browser header lines a viewer sends:
// - proxy, as it was: the event's JSON, JSON.parse of the whole result, CloudFront's validation;
// - proxy, now: the raw lines packed (runtime/edge-protocol.ts), the answer decoded, the diff applied;
// - worker, now: the call unpacked, the event built (event/build.ts), the result validated and diffed.
// The runtime's plumbing around them (invocation, batch, ring, promise) is the same in both.

import { buildRequest } from '../../src/event/build.js';
import { eventHeads, eventJson } from '../../src/event/event-json.js';
import { viewerEventHeaders } from '../../src/event/headers.js';
import { applyRequestDiff } from '../../src/event/result-diff.js';
import type { CfRequest } from '../../src/event/types.js';
import { validateRequestResult } from '../../src/event/validate-result.js';
import type { Env } from '../../src/pipeline/env.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import { decodeEdgeAnswer, type EdgeAnswer, packEdgeCall, unpackEdgeCall } from '../../src/runtime/edge-protocol.js';
import { edgeAnswer, edgeEvent } from '../../src/runtime/worker/edge.js';
import { EVENT_RAW_HEADERS, viewerRequest } from './fixtures.js';
import type { MicroCase } from './harness.js';

const CONFIG = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' };
const REQUEST_ID = 'AbC-_0123456789abcdefghijABCDEFGHIJabcdefghij0123456789ab==';
const input: CfRequest = viewerRequest(viewerEventHeaders(EVENT_RAW_HEADERS));

function handlerResult(req: CfRequest): CfRequest {
  const out = structuredClone(req);
  out.headers['x-bench-viewer-request'] = [{ key: 'X-Bench-Viewer-Request', value: '1' }];
  return out;
}
const resultJson = JSON.stringify(handlerResult(input));

function packed(): string {
  return packEdgeCall({
    eventType: 'viewer-request',
    ...CONFIG,
    requestId: REQUEST_ID,
    capture: false,
    clientIp: input.clientIp,
    method: input.method,
    uri: input.uri,
    querystring: input.querystring,
    headers: EVENT_RAW_HEADERS,
    asReceived: true,
    originJson: '',
    bodyJson: '',
  });
}

function answerFor(): string {
  const call = unpackEdgeCall(packed());
  if (call === undefined) throw new Error('the packed call does not unpack');
  return edgeAnswer(edgeEvent(call), resultJson);
}

export const cases: MicroCase[] = [
  {
    name: 'hop, proxy (before): event JSON + parse result + validate',
    async setup() {
      const env = { eventHeads: eventHeads(CONFIG) } as Pick<Env, 'eventHeads'> as Env;
      const ex = { requestId: REQUEST_ID } as Pick<Exchange, 'requestId'> as Exchange;
      return () => {
        const json = eventJson(env, ex, 'viewer-request', input);
        return [json.length, validateRequestResult('viewer-request', input, JSON.parse(resultJson))];
      };
    },
  },
  {
    name: 'hop, proxy (now): pack raw + decode answer + apply diff',
    async setup() {
      const answer = answerFor();
      const check = applyRequestDiff(input, decodeEdgeAnswer(answer) as Extract<EdgeAnswer, { k: 'q' }>);
      if (check.headers['x-bench-viewer-request'] === undefined) return 'the diff does not add the header';
      return () => {
        const s = packed();
        const a = decodeEdgeAnswer(answer);
        return [s.length, a.k === 'q' ? applyRequestDiff(input, a) : undefined];
      };
    },
  },
  {
    name: 'hop, worker (now): unpack + build event + validate + diff',
    async setup() {
      const s = packed();
      return () => {
        const call = unpackEdgeCall(s)!;
        const e = edgeEvent(call);
        return edgeAnswer(e, resultJson);
      };
    },
  },
  {
    name: 'hop, worker (before): JSON.parse event',
    async setup() {
      const env = { eventHeads: eventHeads(CONFIG) } as Pick<Env, 'eventHeads'> as Env;
      const ex = { requestId: REQUEST_ID } as Pick<Exchange, 'requestId'> as Exchange;
      const json = eventJson(env, ex, 'viewer-request', input);
      return () => JSON.parse(json);
    },
  },
  {
    name: 'event build from raw lines (event/build.ts buildRequest)',
    setup: async () => () => buildRequest({ ...input, headers: EVENT_RAW_HEADERS, asReceived: true }),
  },
];
