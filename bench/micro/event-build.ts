// Event build: what the host does before each viewer-request hook — headers to CloudFront's form and
// the event's JSON text that crosses to the worker (docs/cloudfront-reference.md §1.1; event/event-json.ts eventJson: the
// envelope's fixed part is serialized once at start, the request per call).

import type { CfHeaders, CfRequest, EventType } from '../../src/event/types.js';
import type { Env } from '../../src/pipeline/env.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import { EVENT_RAW_HEADERS, viewerRequest } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type RawToCf = (raw: readonly string[]) => CfHeaders;
type EventHeads = (config: { distributionDomainName: string; distributionId: string }) => Readonly<Record<EventType, string>>;
type EventJson = (env: Env, ex: Exchange, eventType: EventType, request: CfRequest) => string;

const CONFIG = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' };

export const cases: MicroCase[] = [
  {
    name: 'viewer-request event: headers + event JSON',
    async setup() {
      const toCf = fnExport<RawToCf>(await importSrc('event/headers.js'), 'rawToCfHeaders');
      if (typeof toCf === 'string') return `needs rawToCfHeaders: ${toCf}`;
      const invoke = await importSrc('event/event-json.js');
      const heads = fnExport<EventHeads>(invoke, 'eventHeads');
      const json = fnExport<EventJson>(invoke, 'eventJson');
      if (typeof heads === 'string') return `needs eventHeads: ${heads}`;
      if (typeof json === 'string') return `needs eventJson: ${json}`;
      // Only the fields eventJson reads: the heads built at start and this request's id.
      const env = { eventHeads: heads(CONFIG) } as Pick<Env, 'eventHeads'> as Env;
      const ex = { requestId: 'AbC-_0123456789abcdefghijABCDEFGHIJabcdefghij0123456789ab==' } as Pick<Exchange, 'requestId'> as Exchange;
      return () => json(env, ex, 'viewer-request', viewerRequest(toCf(EVENT_RAW_HEADERS)));
    },
  },
];
