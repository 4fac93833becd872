import { describe, expect, it } from 'vitest';
import { answerRange, ifRangeAllows, parseRange } from '../../src/cache/range.js';
import { T0, httpDate } from './fixtures.js';

const BODY = Buffer.from('0123456789abcdefghij'); // 20 bytes

describe('parseRange', () => {
  it.each([
    ['bytes=0-4', [{ start: 0, end: 4 }]],
    ['bytes=5-', [{ start: 5, end: 19 }]],
    ['bytes=-5', [{ start: 15, end: 19 }]],
    ['bytes=-50', [{ start: 0, end: 19 }]],
    ['bytes=10-100', [{ start: 10, end: 19 }]],
    ['bytes=0-0', [{ start: 0, end: 0 }]],
    ['bytes=0-1,5-6', [{ start: 0, end: 1 }, { start: 5, end: 6 }]],
    ['bytes=0-1, 2-3', [{ start: 0, end: 1 }, { start: 2, end: 3 }]],
    ['Bytes=0-1', [{ start: 0, end: 1 }]],
    ['bytes=0-1,50-60', [{ start: 0, end: 1 }]],
  ])('%s → ranges', (header, ranges) => {
    expect(parseRange(header, 20)).toEqual({ kind: 'ranges', ranges });
  });

  it.each([
    ['absent', undefined, 'absent'],
    ['not bytes', 'items=0-1', 'not-bytes'],
    ['last < first', 'bytes=5-3', 'invalid'],
    ['garbage', 'bytes=abc', 'invalid'],
    ['negative', 'bytes=--5', 'invalid'],
    ['just a dash', 'bytes=-', 'invalid'],
    ['no ranges', 'bytes=', 'invalid'],
    ['no =', 'bytes', 'invalid'],
    ['out of order (AWS rule: range requests)', 'bytes=10-12,0-2', 'out-of-order'],
    ['overlapping (AWS rule: range requests)', 'bytes=0-5,3-8', 'overlapping'],
    ['suffix after the range it overlaps', 'bytes=0-17,-5', 'overlapping'],
  ])('%s → full object', (_n, header, reason) => {
    expect(parseRange(header, 20)).toEqual({ kind: 'full', reason });
  });

  it('too many ranges → full object', () => {
    const many = Array.from({ length: 101 }, (_, i) => `${i}-${i}`).join(',');
    expect(parseRange(`bytes=${many}`, 1000)).toEqual({ kind: 'full', reason: 'too-many' });
  });

  it.each(['bytes=20-', 'bytes=30-40', 'bytes=-0', 'bytes=25-30,40-'])('%s is unsatisfiable for 20 bytes', (header) => {
    expect(parseRange(header, 20)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('answerRange', () => {
  it('single range → 206 with Content-Range', () => {
    const a = answerRange(BODY, 'bytes=2-5', 'text/plain');
    expect(a).toMatchObject({ status: 206, contentRange: 'bytes 2-5/20' });
    expect(a.body.toString()).toBe('2345');
    expect(a.contentType).toBeUndefined();
  });

  it('unsatisfiable → 416 with bytes */length', () => {
    expect(answerRange(BODY, 'bytes=50-', 'text/plain')).toMatchObject({ status: 416, contentRange: 'bytes */20' });
  });

  it('invalid / out of order → 200 with the full object', () => {
    const a = answerRange(BODY, 'bytes=10-12,0-2', 'text/plain');
    expect(a.status).toBe(200);
    expect(a.body).toBe(BODY);
  });

  it('several ranges → multipart/byteranges', () => {
    const a = answerRange(BODY, 'bytes=0-1,-3', 'text/plain');
    expect(a.status).toBe(206);
    const m = /^multipart\/byteranges; boundary=([0-9a-f]+)$/.exec(a.contentType ?? '');
    expect(m).not.toBeNull();
    const b = m?.[1] as string;
    expect(a.body.toString('latin1')).toBe(
      `--${b}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/20\r\n\r\n01\r\n` +
        `--${b}\r\nContent-Type: text/plain\r\nContent-Range: bytes 17-19/20\r\n\r\nhij\r\n` +
        `--${b}--\r\n`,
    );
  });

  it('binary bodies survive byte-exact', () => {
    const bin = Buffer.from([0, 255, 128, 10, 13, 7]);
    expect([...answerRange(bin, 'bytes=1-3', undefined).body]).toEqual([255, 128, 10]);
  });
});

describe('ifRangeAllows (RFC 9110 §13.1.5)', () => {
  const lm = httpDate(T0 - 60_000);
  const v = { etag: '"v1"', lastModified: lm, date: httpDate(T0) };
  it.each([
    ['absent', undefined, true],
    ['matching strong ETag', '"v1"', true],
    ['other ETag', '"v2"', false],
    ['weak ETag never matches', 'W/"v1"', false],
    ['matching Last-Modified date', lm, true],
    ['other date', httpDate(T0), false],
    ['invalid date', 'yesterday', false],
  ])('%s', (_n, ifRange, expected) => {
    expect(ifRangeAllows(ifRange, v)).toBe(expected);
  });
  it('a weak stored ETag never matches', () => {
    expect(ifRangeAllows('"v1"', { ...v, etag: 'W/"v1"' })).toBe(false);
  });
  it('Last-Modified within a second of Date is weak: no match', () => {
    expect(ifRangeAllows(lm, { ...v, date: lm })).toBe(false);
  });
});
