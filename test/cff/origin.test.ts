import { describe, expect, it } from 'vitest';
import { resolveOriginCalls } from '../../src/cff/origin.js';
import { CffValidationError } from '../../src/cff/result.js';

const ctx = { eventType: 'viewer-request' as const, originIds: new Set(['primary', 'backup']), requestHeaders: { host: [{ key: 'Host', value: 'x' }] } };

function fails(calls: Array<{ helper: string; args: unknown }>, c = ctx): CffValidationError {
  try {
    resolveOriginCalls(calls, c);
  } catch (e) {
    if (e instanceof CffValidationError) return e;
    throw e;
  }
  throw new Error('no validation error');
}

describe('cloudfront module origin helpers', () => {
  it('updateRequestOrigin: what edgeproxy honours, and what it accepts without effect', () => {
    const { change, warnings } = resolveOriginCalls(
      [{ helper: 'updateRequestOrigin', args: [{ domainName: 'api.example.com', originPath: '/v2', customHeaders: { 'x-stage': 'prod' }, timeouts: { readTimeout: 30, connectionTimeout: 5 }, customOriginConfig: { port: 8443, protocol: 'https', sslProtocols: ['TLSv1.2'] }, originShield: { enabled: false } }] }],
      ctx,
    );
    expect(change).toEqual({
      kind: 'update',
      override: { domainName: 'api.example.com', originPath: '/v2', customHeaders: { 'x-stage': 'prod' }, readTimeout: 30, connectionTimeout: 5, port: 8443, protocol: 'https', sslProtocols: ['TLSv1.2'], ignored: ['originShield'] },
    });
    expect(warnings).toEqual([]);
    // a local emulator reaches 127.0.0.1
    expect(resolveOriginCalls([{ helper: 'updateRequestOrigin', args: [{ domainName: '127.0.0.1' }] }], ctx).change).toEqual({ kind: 'update', override: { domainName: '127.0.0.1', ignored: [] } });
  });

  it('refuses invalid origin values with the page message CloudFront shows', () => {
    const e = fails([{ helper: 'updateRequestOrigin', args: [{ domainName: 'bad:name' }] }]);
    expect(e.field).toBe('cf.updateRequestOrigin().domainName');
    expect(e.message).toMatch(/The CloudFront function returned an invalid value for origin rewrite\.\)$/);
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ originPath: 'v2/' }] }]).field).toBe('cf.updateRequestOrigin().originPath');
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ connectionAttempts: 4 }] }]).field).toBe('cf.updateRequestOrigin().connectionAttempts');
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ customHeaders: { host: 'x' } }] }]).message).toMatch(/cannot be an origin custom header/);
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ customHeaders: { 'X-Up': 'x' } }] }]).message).toMatch(/lowercase/);
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ hostHeader: 'a.example.com', originAccessControlConfig: { enabled: true } }] }]).message).toMatch(/hostHeader cannot be combined/);
    expect(fails([{ helper: 'updateRequestOrigin', args: [{ colour: 'red' }] }]).message).toMatch(/colour is not an origin property/);
  });

  it('selectRequestOriginById: a known origin id, with overrides', () => {
    expect(resolveOriginCalls([{ helper: 'selectRequestOriginById', args: ['backup', { hostHeader: 'b.example.com' }] }], ctx).change).toEqual({
      kind: 'select',
      originId: 'backup',
      override: { hostHeader: 'b.example.com', ignored: [] },
    });
    expect(fails([{ helper: 'selectRequestOriginById', args: ['nope'] }]).message).toMatch(/no origin "nope" in this distribution \(origins: primary, backup\)/);
    expect(fails([{ helper: 'selectRequestOriginById', args: ['backup', { domainName: 'x.com' }] }]).message).toMatch(/domainName is not an origin property here/);
  });

  it('createRequestOriginGroup: both originIds shapes, failover status codes', () => {
    const want = { kind: 'group', selectionCriteria: 'default', statusCodes: [500, 503] };
    const a = resolveOriginCalls([{ helper: 'createRequestOriginGroup', args: [{ originIds: ['primary', 'backup'], failoverCriteria: { statusCodes: [500, 503] } }] }], ctx).change;
    expect(a).toEqual({ ...want, members: [{ originId: 'primary', override: { ignored: [] } }, { originId: 'backup', override: { ignored: [] } }] });
    const b = resolveOriginCalls([{ helper: 'createRequestOriginGroup', args: [{ originIds: [{ originId: 'primary', originOverrides: { sni: 's' } }, { originId: 'backup' }], failoverCriteria: { statusCodes: [500, 503] } }] }], ctx).change;
    expect(b).toEqual({ ...want, members: [{ originId: 'primary', override: { ignored: ['sni'] } }, { originId: 'backup', override: { ignored: [] } }] });
    expect(fails([{ helper: 'createRequestOriginGroup', args: [{ originIds: ['primary'], failoverCriteria: { statusCodes: [500] } }] }]).message).toMatch(/exactly two origins/);
    expect(fails([{ helper: 'createRequestOriginGroup', args: [{ originIds: ['primary', 'backup'], failoverCriteria: { statusCodes: [418] } }] }]).field).toBe('cf.createRequestOriginGroup().failoverCriteria.statusCodes[0]');
  });

  it('works at viewer-request only; the last of several calls wins, with a warning', () => {
    expect(fails([{ helper: 'updateRequestOrigin', args: [{}] }], { ...ctx, eventType: 'viewer-response' }).message).toMatch(/viewer-request functions only/);
    const r = resolveOriginCalls([{ helper: 'updateRequestOrigin', args: [{ domainName: 'a.example.com' }] }, { helper: 'selectRequestOriginById', args: ['primary'] }], ctx);
    expect(r.change).toEqual({ kind: 'select', originId: 'primary', override: { ignored: [] } });
    expect(r.warnings).toEqual(['2 origin helper calls in one run: the last one (cf.selectRequestOriginById) applies']);
    expect(resolveOriginCalls([], ctx)).toEqual({ change: undefined, warnings: [] });
  });
});
