import { describe, expect, it } from 'vitest';
import { decodeDoneOk, decodeInvokes, encodeDoneOk, encodeInvoke } from '../../src/runtime/protocol.js';

describe('host → worker invocation strings', () => {
  it('carries several invocations in one string, events with tabs and newlines in their values intact', () => {
    const a = JSON.stringify({ Records: [{ cf: { request: { uri: '/a\tb\nc', headers: {} } } }] });
    const b = JSON.stringify({ text: 'é ✓ \u2028' });
    const s = [encodeInvoke(7, 3000, 'aaaa-bbbb', a), encodeInvoke(8, 30000, 'cccc-dddd', b)].join('\n');
    expect(decodeInvokes(s)).toEqual([
      { id: 7, timeoutMs: 3000, awsRequestId: 'aaaa-bbbb', event: a },
      { id: 8, timeoutMs: 30000, awsRequestId: 'cccc-dddd', event: b },
    ]);
    expect(JSON.parse(decodeInvokes(s)?.[0]?.event ?? '')).toEqual(JSON.parse(a));
  });

  it('rejects strings that are not invocations', () => {
    expect(decodeInvokes('')).toBeUndefined();
    expect(decodeInvokes('hello')).toBeUndefined();
    expect(decodeInvokes('x\t1\tid\t{}')).toBeUndefined();
    expect(decodeInvokes('1\t0\tid\t{}')).toBeUndefined();
  });
});

describe('worker → host results', () => {
  it('round-trips a successful result', () => {
    expect(decodeDoneOk(encodeDoneOk(3, 1024, '{"a":"\\t"}'))).toEqual({ t: 'done', id: 3, ok: true, mem: 1024, result: '{"a":"\\t"}' });
    expect(decodeDoneOk('not a result')).toBeUndefined();
  });
});
