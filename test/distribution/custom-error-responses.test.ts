// The pure rules of custom error responses (docs/cloudfront-reference.md §12) and their config checks.

import { describe, expect, it } from 'vitest';
import { resolveCustomErrorResponses } from '../../src/config/resolve/custom-error-responses.js';
import { loadConfig } from '../../src/config/load.js';
import { customErrorFor, customErrorStatus } from '../../src/distribution/custom-error-responses.js';

const spa = { errorCode: 404, responsePagePath: '/index.html', responseCode: 200, errorCachingMinTTL: undefined };

describe('customErrorFor', () => {
  const table = new Map([[404, spa], [500, { errorCode: 500, responsePagePath: undefined, responseCode: undefined, errorCachingMinTTL: 5 }]]);
  it('applies to origin errors and origin failures only', () => {
    expect(customErrorFor(table, 404, 'origin')).toBe(spa);
    expect(customErrorFor(table, 404, 'origin-failure')).toBe(spa);
    expect(customErrorFor(table, 404, 'function-generated')).toBeUndefined();
    expect(customErrorFor(table, 404, 'function-error')).toBeUndefined();
    expect(customErrorFor(table, 404, 'request-refused')).toBeUndefined();
  });
  it('a TTL-only entry or another status has no page', () => {
    expect(customErrorFor(table, 500, 'origin')).toBeUndefined();
    expect(customErrorFor(table, 403, 'origin')).toBeUndefined();
  });
  it('status: ResponseCode when the page is there, the page fetch status when not', () => {
    expect(customErrorStatus(spa, 200)).toEqual({ status: 200, pageUsable: true });
    expect(customErrorStatus({ ...spa, responseCode: undefined }, 200)).toEqual({ status: 404, pageUsable: true });
    expect(customErrorStatus(spa, 404)).toEqual({ status: 404, pageUsable: false });
  });
});

describe('customErrorResponses config', () => {
  function problems(input: Parameters<typeof resolveCustomErrorResponses>[0]): string[] {
    const out: string[] = [];
    resolveCustomErrorResponses(input, { add: (at, m) => out.push(`${typeof at === 'string' ? at : at.join('.')}: ${m}`) });
    return out;
  }
  it('accepts CloudFront codes and names the field of each mistake', () => {
    expect(problems([{ errorCode: 404, responsePagePath: '/index.html', responseCode: 200 }])).toEqual([]);
    expect(problems([{ errorCode: 401 }])[0]).toMatch(/^customErrorResponses\.0\.errorCode: CloudFront has custom error responses only for 400, 403/);
    expect(problems([{ errorCode: 404 }, { errorCode: 404 }])[0]).toMatch(/^customErrorResponses\.1\.errorCode: duplicate/);
    expect(problems([{ errorCode: 404, responsePagePath: 'index.html' }])[0]).toMatch(/responsePagePath: must start with "\/"/);
    expect(problems([{ errorCode: 404, responseCode: 200 }])[0]).toMatch(/responseCode: needs responsePagePath/);
    expect(problems([{ errorCode: 404, responsePagePath: '/x', responseCode: 201 }])[0]).toMatch(/responseCode: must be one of 200, 400/);
  });
  it('loadConfig reports with the path and keeps TTLs for the cache', async () => {
    await expect(loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:1234' }], customErrorResponses: [{ errorCode: 404, responseCode: 200 }] } })).rejects.toThrow(
      'config: customErrorResponses[0].responseCode: needs responsePagePath',
    );
    const c = await loadConfig({
      object: { origins: [{ id: 'o', url: 'http://127.0.0.1:1234' }], customErrorResponses: [{ errorCode: 503, errorCachingMinTTL: 30 }, { errorCode: 404, responsePagePath: '/i' }] },
    });
    expect(c.cache.customErrorTtls.get(503)).toBe(30);
    expect(c.cache.customErrorTtls.has(404)).toBe(false);
    expect(c.customErrorResponses.get(404)?.responsePagePath).toBe('/i');
  });
});
