import { describe, expect, it } from 'vitest';
import { KeyValueStore, KvsFileError, kvsArn, kvsIdFor, parseKvsData } from '../../src/cff/kvs.js';

function error(text: string): KvsFileError {
  try {
    parseKvsData(text);
  } catch (e) {
    if (e instanceof KvsFileError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('KeyValueStore data file (CloudFront import format)', () => {
  it('reads { data: [{ key, value }] } into the store', () => {
    const d = parseKvsData(JSON.stringify({ data: [{ key: 'a', value: '1' }, { key: 'é', value: '{"x":2}' }] }));
    expect([...d.entries]).toEqual([['a', '1'], ['é', '{"x":2}']]);
    expect(d.bytes).toBe(1 + 1 + 2 + 7);
    expect(parseKvsData('{"data":[]}').entries.size).toBe(0);
  });

  it('refuses a duplicate key, naming both entries', () => {
    const e = error(JSON.stringify({ data: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '3' }] }));
    expect(e.field).toBe('data[2].key');
    expect(e.message).toBe('data[2]: duplicate key "a" (first at data[0]); CloudFront refuses an import with duplicate keys');
  });

  it('refuses keys over 512 bytes and values over 1 KB, counted in UTF-8', () => {
    expect(error(JSON.stringify({ data: [{ key: 'k'.repeat(513), value: '' }] })).field).toBe('data[0].key');
    // 300 × 'é' is 600 bytes though only 300 characters
    expect(error(JSON.stringify({ data: [{ key: 'é'.repeat(300), value: '' }] })).message).toMatch(/is 600 bytes; keys are limited to 512 bytes/);
    expect(parseKvsData(JSON.stringify({ data: [{ key: 'k'.repeat(512), value: 'v'.repeat(1024) }] })).entries.size).toBe(1);
    const v = error(JSON.stringify({ data: [{ key: 'big', value: 'v'.repeat(1025) }] }));
    expect([v.field, v.message]).toEqual(['data[0].value', 'data[0].value (key "big") is 1025 bytes; values are limited to 1024 bytes (1 KB)']);
  });

  it('refuses what is not the import format: bad JSON, other fields, non-string values, empty keys', () => {
    expect(error('{"data": [').message).toMatch(/^not valid JSON/);
    expect(error('[]').message).toMatch(/must be an object/);
    expect(error('{"data":[],"extra":1}').message).toBe('unknown field "extra": the import format has only "data"');
    expect(error('{"items":[]}').message).toMatch(/unknown field "items"/);
    expect(error('{}').field).toBe('data');
    expect(error('{"data":[{"key":"a","value":1}]}').message).toMatch(/data\[0\]\.value \(key "a"\) must be a string/);
    expect(error('{"data":[{"key":"","value":"x"}]}').field).toBe('data[0].key');
    expect(error('{"data":[{"key":"a","value":"x","ttl":3}]}').field).toBe('data[0].ttl');
  });

  it('refuses a store over 5 MB', () => {
    const data = [];
    for (let i = 0; i < 5200; i++) data.push({ key: `k${i}`, value: 'v'.repeat(1000) });
    expect(error(JSON.stringify({ data })).message).toMatch(/a key value store is limited to 5 MB/);
  });

  it('derives a stable UUID per store name and an ARN from it', () => {
    const id = kvsIdFor('config');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(kvsIdFor('config')).toBe(id);
    expect(kvsIdFor('other')).not.toBe(id);
    expect(kvsArn(id)).toBe(`arn:aws:cloudfront::123456789012:key-value-store/${id}`);
  });

  it('updates key by key with a new ETag, all or nothing', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const s = new KeyValueStore('cfg', kvsIdFor('cfg'), parseKvsData('{"data":[{"key":"a","value":"1"}]}'), t0);
    const etag = s.etag;
    s.update([{ key: 'b', value: '2' }], ['a'], new Date('2026-01-02T00:00:00Z'));
    expect([...s.keys()]).toEqual(['b']);
    expect(s.etag).not.toBe(etag);
    expect(s.snapshot()).toEqual({ id: s.id, entries: [['b', '2']], creationDateTime: '2026-01-01T00:00:00.000Z', lastUpdatedDateTime: '2026-01-02T00:00:00.000Z' });
    expect(() => s.update([{ key: 'c', value: '3' }, { key: 'd', value: 'x'.repeat(2000) }], [])).toThrow(/Puts\[1\]\.value \(key "d"\) is 2000 bytes/);
    expect([...s.keys()]).toEqual(['b']);
  });
});
