// Result validation (docs/cloudfront-reference.md §2.2, §3.1, §3.2): runs on every function result. The realistic input is
// the worker's JSON reply, so the second case parses it too.

import type { CfHeaders, CfRequest } from '../../src/event/types.js';
import { EVENT_RAW_HEADERS, viewerRequest } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type RawToCf = (raw: readonly string[]) => CfHeaders;
type ValidateRequestResult = (eventType: 'viewer-request' | 'origin-request', input: CfRequest, result: unknown) => { kind: string };

async function setup(parse: boolean): Promise<(() => unknown) | string> {
  const validate = fnExport<ValidateRequestResult>(await importSrc('event/validate-result.js'), 'validateRequestResult');
  if (typeof validate === 'string') return validate;
  const toCf = fnExport<RawToCf>(await importSrc('event/headers.js'), 'rawToCfHeaders');
  if (typeof toCf === 'string') return `needs rawToCfHeaders: ${toCf}`;
  const input = viewerRequest(toCf(EVENT_RAW_HEADERS));
  // What the bench's set-header function returns: the request plus one header.
  const result: CfRequest = structuredClone(input);
  result.headers['x-bench-viewer-request'] = [{ key: 'X-Bench-Viewer-Request', value: '1' }];
  const reply = JSON.stringify(result);
  if (validate('viewer-request', input, JSON.parse(reply)).kind !== 'request') return 'validateRequestResult rejected a valid result';
  return parse ? () => validate('viewer-request', input, JSON.parse(reply)) : () => validate('viewer-request', input, result);
}

export const cases: MicroCase[] = [
  { name: 'validateRequestResult: request + 1 header', setup: () => setup(false) },
  { name: 'JSON.parse reply + validateRequestResult', setup: () => setup(true) },
];
