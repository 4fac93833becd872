// The event text a function's worker receives (docs/cloudfront-reference.md §1.1): the same text as
// `JSON.stringify` of `{ Records: [{ cf: { config: { distributionDomainName, distributionId,
// eventType, requestId }, request, response? } }] }` (test/pipeline/event-json.test.ts), with the
// fixed start of each trigger's event serialized once at start.

import type { ResolvedConfig } from '../config/types.js';
import type { CfRequest, CfResponse, EventType } from './types.js';

/** Each trigger's event JSON up to `"requestId":`, built once at start (pipeline/env.ts). */
export type EventHeads = Readonly<Record<EventType, string>>;

export function eventHeads(config: Pick<ResolvedConfig, 'distributionDomainName' | 'distributionId'>): EventHeads {
  const head = (eventType: EventType): string => {
    const fixed = JSON.stringify({ distributionDomainName: config.distributionDomainName, distributionId: config.distributionId, eventType });
    return `{"Records":[{"cf":{"config":${fixed.slice(0, -1)},"requestId":`;
  };
  return {
    'viewer-request': head('viewer-request'),
    'origin-request': head('origin-request'),
    'origin-response': head('origin-response'),
    'viewer-response': head('viewer-response'),
  };
}

/** Only the request id, the request and the response are serialized per call. */
export function eventJson(
  env: { readonly eventHeads: EventHeads },
  ex: { readonly requestId: string },
  eventType: EventType,
  request: CfRequest,
  response?: CfResponse,
): string {
  const start = `${env.eventHeads[eventType]}${JSON.stringify(ex.requestId)}},"request":${JSON.stringify(request)}`;
  return response === undefined ? `${start}}}]}` : `${start},"response":${JSON.stringify(response)}}}]}`;
}
