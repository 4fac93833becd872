// Event build: what the host does before each viewer-request hook — headers to CloudFront's form,
// the event envelope (spec §1.1), and the JSON string that crosses to the worker (runtime protocol).

import type { CfEvent, CfHeaders } from '../../src/event/types.js';
import { EVENT_RAW_HEADERS, viewerRequest } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type RawToCf = (raw: readonly string[]) => CfHeaders;

const CONFIG = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request' as const };

export const cases: MicroCase[] = [
  {
    name: 'viewer-request event: headers + envelope + JSON.stringify',
    async setup() {
      const toCf = fnExport<RawToCf>(await importSrc('event/headers.js'), 'rawToCfHeaders');
      if (typeof toCf === 'string') return `needs rawToCfHeaders: ${toCf}`;
      let n = 0;
      return () => {
        const event: CfEvent = {
          Records: [{ cf: { config: { ...CONFIG, requestId: `req-${n++}` }, request: viewerRequest(toCf(EVENT_RAW_HEADERS)) } }],
        };
        return JSON.stringify(event);
      };
    },
  },
];
