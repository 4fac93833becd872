import { describe, expect, it } from 'vitest';
import { isEdgeError } from '../../src/errors.js';
import { applyBodyResult, BASE64_BODY_LIMIT, checkBodyResult, isStrictBase64, makeRequestBody } from '../../src/event/body.js';
import type { CfBody } from '../../src/event/types.js';

function edgeError(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    if (isEdgeError(e)) return { code: e.code, field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected an EdgeError');
}

describe('makeRequestBody (AWS rule: request.body (includeBody))', () => {
  it('is base64, read-only, untruncated under the limit', () => {
    expect(makeRequestBody(Buffer.from('name1=a&name2=b'), 'viewer-request')).toEqual({
      inputTruncated: false,
      action: 'read-only',
      encoding: 'base64',
      data: 'bmFtZTE9YSZuYW1lMj1i',
    });
  });
  it('a request without a body gets data ""', () => {
    expect(makeRequestBody(Buffer.alloc(0), 'origin-request')).toMatchObject({ inputTruncated: false, data: '' });
  });
  it('truncates at 40 KiB for viewer-request and 1 MiB for origin-request', () => {
    const exactly = Buffer.alloc(40 * 1024, 1);
    expect(makeRequestBody(exactly, 'viewer-request').inputTruncated).toBe(false);
    const over = Buffer.alloc(40 * 1024 + 1, 1);
    const vb = makeRequestBody(over, 'viewer-request');
    expect(vb.inputTruncated).toBe(true);
    expect(Buffer.from(vb.data, 'base64').length).toBe(40 * 1024);
    expect(makeRequestBody(over, 'origin-request').inputTruncated).toBe(false);
    const big = Buffer.alloc(1024 * 1024 + 1, 2);
    const ob = makeRequestBody(big, 'origin-request');
    expect(ob.inputTruncated).toBe(true);
    expect(Buffer.from(ob.data, 'base64').length).toBe(1024 * 1024);
  });
});

describe('applyBodyResult', () => {
  const original = Buffer.alloc(50_000, 7); // more than the viewer-request exposure
  const input = makeRequestBody(original, 'viewer-request');

  it('read-only (or no body) sends the full original, ignoring edits to data', () => {
    expect(applyBodyResult(original, undefined, 'viewer-request')).toBe(original);
    expect(applyBodyResult(original, { ...input, data: 'aGk=' }, 'viewer-request')).toBe(original);
  });
  it('replace with text and base64', () => {
    expect(applyBodyResult(original, { inputTruncated: true, action: 'replace', encoding: 'text', data: 'héllo' }, 'viewer-request').toString()).toBe('héllo');
    expect(applyBodyResult(original, { inputTruncated: true, action: 'replace', encoding: 'base64', data: 'aGk=' }, 'viewer-request').toString()).toBe('hi');
  });
  it('a body checked by checkBodyResult is decoded without a second check', () => {
    const checked = checkBodyResult({ action: 'replace', data: 'aGk=' }, input, 'viewer-request');
    expect(checked).toEqual({ inputTruncated: true, action: 'replace', encoding: 'base64', data: 'aGk=' });
    expect(applyBodyResult(original, checked, 'viewer-request').toString()).toBe('hi');
  });

  it.each<[string, unknown, string]>([
    ['invalid base64', { action: 'replace', encoding: 'base64', data: 'not base64!' }, 'body.data'],
    ['unpadded base64', { action: 'replace', encoding: 'base64', data: 'aGk' }, 'body.data'],
    ['base64 with newline', { action: 'replace', encoding: 'base64', data: 'aGk=\n' }, 'body.data'],
    ['bad action', { action: 'modify', encoding: 'text', data: 'x' }, 'body.action'],
    ['bad encoding', { action: 'replace', encoding: 'utf8', data: 'x' }, 'body.encoding'],
    ['data not a string', { action: 'replace', encoding: 'text', data: 42 }, 'body.data'],
    ['text over 40 KiB', { action: 'replace', encoding: 'text', data: 'x'.repeat(40 * 1024 + 1) }, 'body.data'],
    ['multi-byte text over 40 KiB in bytes', { action: 'replace', encoding: 'text', data: 'é'.repeat(20 * 1024 + 1) }, 'body.data'],
    ['base64 over 53.2 KiB', { action: 'replace', encoding: 'base64', data: 'AAAA'.repeat(Math.ceil((BASE64_BODY_LIMIT['viewer-request'] + 1) / 4)) }, 'body.data'],
    ['not an object', 'text', 'body'],
  ])('%s → LambdaValidationError', (_name, body, field) => {
    const err = edgeError(() => checkBodyResult(body, input, 'viewer-request'));
    expect(err.code).toBe('LambdaValidationError');
    expect(err.field).toBe(field);
    const err2 = edgeError(() => applyBodyResult(original, body as CfBody, 'viewer-request'));
    expect(err2.field).toBe(field);
  });

  it('limits are per event type', () => {
    const text = { action: 'replace', encoding: 'text', data: 'x'.repeat(40 * 1024 + 1) };
    expect(checkBodyResult(text, input, 'origin-request').action).toBe('replace');
    expect(checkBodyResult({ ...text, data: 'x'.repeat(40 * 1024) }, input, 'viewer-request').action).toBe('replace');
    expect(edgeError(() => checkBodyResult({ ...text, data: 'x'.repeat(1024 * 1024 + 1) }, input, 'origin-request')).field).toBe('body.data');
  });

  it('isStrictBase64', () => {
    expect(isStrictBase64('')).toBe(true);
    expect(isStrictBase64('QQ==')).toBe(true);
    expect(isStrictBase64('QUI=')).toBe(true);
    expect(isStrictBase64('QUJD')).toBe(true);
    expect(isStrictBase64('QQ=')).toBe(false);
    expect(isStrictBase64('Q===')).toBe(false);
    expect(isStrictBase64('QU-_')).toBe(false);
  });
});
