import { describe, expect, it } from 'vitest';
import { rawToCfHeadersEndToEnd } from '../../src/event/hop-by-hop.js';

describe('origin response headers without hop-by-hop ones (RFC 9110 §7.6.1)', () => {
  it('drops the fixed hop-by-hop set and keeps end-to-end headers in order with their spelling', () => {
    const h = rawToCfHeadersEndToEnd([
      'Content-Type', 'text/plain',
      'Connection', 'keep-alive',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'Cache-Control', 'max-age=60',
      'X-Two', 'a',
      'x-two', 'b',
    ]);
    expect(h).toEqual({
      'content-type': [{ key: 'Content-Type', value: 'text/plain' }],
      'cache-control': [{ key: 'Cache-Control', value: 'max-age=60' }],
      'x-two': [{ key: 'X-Two', value: 'a' }, { key: 'x-two', value: 'b' }],
    });
  });

  it('also drops the headers the Connection header names, whatever their case', () => {
    const h = rawToCfHeadersEndToEnd(['Connection', 'close, X-Private ,x-other', 'X-Private', '1', 'X-Other', '2', 'X-Kept', '3']);
    expect(Object.keys(h)).toEqual(['x-kept']);
  });
});
