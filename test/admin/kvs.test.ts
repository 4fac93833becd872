// The admin listener's key value store routes (CloudFront KeyValueStore's data-plane API shape),
// through the real proxy: a change made there is what the CloudFront Function reads next.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

describe('admin /key-value-stores', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let admin: string;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      keyValueStores: [{ name: 'settings', file: 'cff/data.json' }],
      functions: [{ id: 'kvs', file: 'cff/kvs.js', runtime: 'cloudfront-js-2.0', keyValueStore: 'settings' }],
      behaviors: [{ pathPattern: '*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'kvs' } }],
      admin: { port: 0 },
    });
    admin = proxy.adminUrl as string;
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  const json = async (path: string, opts: Parameters<typeof send>[2] = {}) => {
    const r = await send(admin, path, opts);
    return { status: r.status, etag: r.headers.etag, body: JSON.parse(r.text) as Record<string, any> };
  };

  it('lists and describes the stores, lists and gets keys', async () => {
    const list = await json('/key-value-stores');
    expect(list.body.KeyValueStores).toEqual([expect.objectContaining({ Name: 'settings', ItemCount: 3, KvsARN: expect.stringMatching(/^arn:aws:cloudfront::123456789012:key-value-store\//) })]);
    const d = await json('/key-value-stores/settings');
    expect(d.etag).toBe(d.body.ETag);
    expect((await json('/key-value-stores/settings/keys/greeting')).body).toEqual({ Key: 'greeting', Value: 'hello', ItemCount: 3, TotalSizeInBytes: d.body.TotalSizeInBytes });
    const page1 = await json('/key-value-stores/settings/keys?MaxResults=2');
    expect(page1.body.Items.map((i: { Key: string }) => i.Key)).toEqual(['bin', 'cfg']);
    const page2 = await json(`/key-value-stores/settings/keys?MaxResults=2&NextToken=${page1.body.NextToken}`);
    expect(page2.body).toEqual({ Items: [{ Key: 'greeting', Value: 'hello' }] });
    expect((await json('/key-value-stores/nope')).body.error).toMatchObject({ code: 'NotFound', field: 'name' });
    expect((await json('/key-value-stores/settings/keys/missing')).body.error).toMatchObject({ code: 'NotFound', field: 'key' });
  });

  it('UpdateKeys needs the current ETag (409 Conflict otherwise), and the function reads the change on its next run', async () => {
    const body = JSON.stringify({ Puts: [{ Key: 'greeting', Value: 'hola' }], Deletes: [{ Key: 'bin' }] });
    const none = await json('/key-value-stores/settings/keys', { method: 'POST', body });
    expect(none.body.error).toMatchObject({ code: 'InvalidArgument', field: 'If-Match' });
    const stale = await json('/key-value-stores/settings/keys', { method: 'POST', body, headers: { 'if-match': '"stale"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('Conflict');
    const { etag } = await json('/key-value-stores/settings');
    const ok = await json('/key-value-stores/settings/keys', { method: 'POST', body, headers: { 'if-match': String(etag) } });
    expect(ok.status).toBe(200);
    expect(ok.body.ItemCount).toBe(2);
    expect(ok.body.ETag).not.toBe(etag);
    const r = await send(proxy.url, '/?key=greeting');
    expect(r.headers['x-value']).toBe('string:hola');
    expect(r.headers['x-keys']).toBe('2');
    const big = await json('/key-value-stores/settings/keys', { method: 'POST', body: JSON.stringify({ Puts: [{ Key: 'k', Value: 'v'.repeat(2000) }] }), headers: { 'if-match': String(ok.body.ETag) } });
    expect(big.body.error).toMatchObject({ code: 'InvalidArgument' });
    expect(big.body.error.message).toMatch(/is 2000 bytes; values are limited to 1024 bytes/);
  });
});
