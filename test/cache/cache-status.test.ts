import { describe, expect, it } from 'vitest';
import { appendCacheStatus, cacheStatus } from '../../src/cache/cache-status.js';

describe('Cache-Status (RFC 9211)', () => {
  it.each([
    [{ hit: true, ttl: 42 }, 'edgeproxy; hit; ttl=42'],
    [{ fwd: 'miss' as const, stored: true }, 'edgeproxy; fwd=miss; stored'],
    [{ fwd: 'stale' as const, fwdStatus: 304, ttl: -3 }, 'edgeproxy; fwd=stale; fwd-status=304; ttl=-3'],
    [{ fwd: 'uri-miss' as const, collapsed: true }, 'edgeproxy; fwd=uri-miss; collapsed'],
    [{ fwd: 'bypass' as const, detail: 'no-store' }, 'edgeproxy; fwd=bypass; detail=no-store'],
    [{ fwd: 'miss' as const, detail: 'min-ttl 0' }, 'edgeproxy; fwd=miss; detail="min-ttl 0"'],
    [{ hit: true, key: '["GET","/a\\"b"]' }, 'edgeproxy; hit; key="[\\"GET\\",\\"/a\\\\\\"b\\"]"'],
  ])('%j', (input, expected) => {
    expect(cacheStatus(input)).toBe(expected);
  });
  it('escapes non-ASCII in strings and quotes odd cache names', () => {
    expect(cacheStatus({ hit: true, key: 'é' })).toBe('edgeproxy; hit; key="%C3%A9"');
    expect(cacheStatus({ hit: true }, 'my cache')).toBe('"my cache"; hit');
  });
  it('appends after upstream members', () => {
    expect(appendCacheStatus('OriginCache; hit', 'edgeproxy; hit')).toBe('OriginCache; hit, edgeproxy; hit');
    expect(appendCacheStatus(undefined, 'edgeproxy; hit')).toBe('edgeproxy; hit');
  });
});
