// The config loader and the event validator apply CloudFront's origin custom header rule the same
// way: every name one refuses, the other refuses too, and both accept the same ordinary names.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { isEdgeError } from '../../src/errors.js';
import type { CfRequest } from '../../src/event/types.js';
import { validateRequestResult } from '../../src/event/validate-result.js';
import { DISALLOWED_HEADERS, ORIGIN_CUSTOM_HEADER_DENYLIST } from '../../src/rules/cloudfront.js';

const input: CfRequest = {
  clientIp: '198.51.100.23',
  method: 'GET',
  uri: '/',
  querystring: '',
  headers: { host: [{ key: 'Host', value: '127.0.0.1:3000' }] },
  origin: {
    custom: {
      customHeaders: {},
      domainName: '127.0.0.1',
      keepaliveTimeout: 5,
      path: '',
      port: 3000,
      protocol: 'http',
      readTimeout: 30,
      sslProtocols: ['TLSv1.2'],
    },
  },
};

/** Does an origin-request function that adds this origin custom header fail validation, at that header? */
function eventRefuses(lower: string): boolean {
  const result = structuredClone(input) as { origin: { custom: { customHeaders: Record<string, unknown> } } };
  result.origin.custom.customHeaders[lower] = [{ value: '1' }];
  try {
    validateRequestResult('origin-request', input, result);
    return false;
  } catch (e) {
    if (isEdgeError(e) && e.field === `origin.custom.customHeaders[${JSON.stringify(lower)}]`) return true;
    throw e;
  }
}

/** Does a config with this origin custom header fail to load, at that header? */
async function configRefuses(name: string): Promise<boolean> {
  try {
    await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000', customHeaders: { [name]: '1' } }] } });
    return false;
  } catch (e) {
    if (e instanceof ConfigError && e.message.startsWith(`config: origins[0].customHeaders.${name}: `)) return true;
    throw e;
  }
}

const REFUSED = [
  ...ORIGIN_CUSTOM_HEADER_DENYLIST,
  ...DISALLOWED_HEADERS,
  'x-amz-date',
  'x-amz-cf-id',
  'x-edge-location',
];
const ACCEPTED = ['x-origin-secret', 'authorization', 'origin', 'x-amzn-trace-id', 'x-forwarded-host', 'x-edgeproxy'];

describe('origin custom header names: config and events agree', () => {
  it('both refuse every name on the denylist or the §3.1 list', async () => {
    const disagree: string[] = [];
    for (const n of REFUSED) {
      const [c, ev] = [await configRefuses(n), eventRefuses(n)];
      if (!c || !ev) disagree.push(`${n}: config ${c ? 'refuses' : 'accepts'}, event ${ev ? 'refuses' : 'accepts'}`);
    }
    expect(disagree).toEqual([]);
  });

  it('both accept ordinary names', async () => {
    for (const n of ACCEPTED) {
      expect(await configRefuses(n), n).toBe(false);
      expect(eventRefuses(n), n).toBe(false);
    }
  });
});
