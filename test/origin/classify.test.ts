// How an origin failure becomes one of our codes (origin/client.ts classifyOriginError): undici's own
// error classes and Node's system errors, as the origin client meets them, → code, status, message.

import { lookup } from 'node:dns/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { classifyOriginError } from '../../src/origin/client.js';

const WHERE = 'http://origin.test:8080';

/** A Node system error as node:net and node:dns raise them: an Error with `code` (and `syscall`). */
function systemError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${syscall} ${code} origin.test`), { code, errno: -1, syscall });
}

describe('classifyOriginError', () => {
  const cases: Array<[string, unknown, ErrorCode, number]> = [
    ['undici ConnectTimeoutError', new errors.ConnectTimeoutError(), 'OriginTimeout', 504],
    ['undici HeadersTimeoutError', new errors.HeadersTimeoutError(), 'OriginTimeout', 504],
    ['undici BodyTimeoutError', new errors.BodyTimeoutError(), 'OriginTimeout', 504],
    ['ETIMEDOUT', systemError('ETIMEDOUT', 'connect'), 'OriginTimeout', 504],
    ['undici SocketError (the origin closed the connection)', new errors.SocketError('other side closed'), 'OriginConnectError', 502],
    ['undici ClientClosedError', new errors.ClientClosedError(), 'OriginConnectError', 502],
    ['ECONNREFUSED', systemError('ECONNREFUSED', 'connect'), 'OriginConnectError', 502],
    ['ECONNRESET', systemError('ECONNRESET', 'read'), 'OriginConnectError', 502],
    ['EPIPE', systemError('EPIPE', 'write'), 'OriginConnectError', 502],
    ['EHOSTUNREACH', systemError('EHOSTUNREACH', 'connect'), 'OriginConnectError', 502],
    ['ENETUNREACH', systemError('ENETUNREACH', 'connect'), 'OriginConnectError', 502],
    ['ENOTFOUND', systemError('ENOTFOUND', 'getaddrinfo'), 'OriginDnsError', 502],
    ['EAI_AGAIN', systemError('EAI_AGAIN', 'getaddrinfo'), 'OriginDnsError', 502],
    ['undici HTTPParserError with an llhttp code', new errors.HTTPParserError('Invalid header value char', 'INVALID_HEADER_TOKEN'), 'OriginResponseError', 502],
    ['undici HTTPParserError without a code', new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol'), 'OriginResponseError', 502],
    ['undici HeadersOverflowError (origin headers too large)', new errors.HeadersOverflowError(), 'OriginResponseError', 502],
    ['undici ResponseContentLengthMismatchError', new errors.ResponseContentLengthMismatchError(), 'OriginResponseError', 502],
    ['a thrown string', 'something odd', 'OriginResponseError', 502],
  ];

  it.each(cases)('%s → %s', (_name, err, code, status) => {
    const e = classifyOriginError(err, WHERE);
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.xCache).toBe('Error');
    expect(e.kind).toBe('system');
    expect(e.stage).toBe('origin-fetch');
    expect(e.cause).toBe(err);
    expect(e.message).toContain(WHERE);
  });

  it('messages name the origin and the cause, never "undefined"', () => {
    expect(classifyOriginError(systemError('ECONNREFUSED', 'connect'), WHERE).message).toBe(`cannot connect to origin ${WHERE}: ECONNREFUSED connect ECONNREFUSED origin.test`);
    expect(classifyOriginError(new errors.HeadersTimeoutError(), WHERE).message).toBe(`origin ${WHERE} did not answer in time (UND_ERR_HEADERS_TIMEOUT)`);
    expect(classifyOriginError(new errors.HTTPParserError('Invalid header value char', 'INVALID_HEADER_TOKEN'), WHERE).message).toBe(
      `origin ${WHERE} failed: HPE_INVALID_HEADER_TOKEN Invalid header value char`,
    );
    // Regression: undici's HTTPParserError has a `code` property that may be undefined.
    expect(classifyOriginError(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol'), WHERE).message).toBe(
      `origin ${WHERE} failed: HTTPParserError: Response does not match the HTTP/1.1 protocol`,
    );
  });

  it('real failures of this machine: a name under .invalid (RFC 6761) → OriginDnsError; a closed port → OriginConnectError', async () => {
    const dns = await lookup('nonexistent.invalid').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifyOriginError(dns, WHERE).code).toBe('OriginDnsError');

    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const refused = await new Promise<unknown>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(undefined);
      });
      s.on('error', resolve);
    });
    expect(classifyOriginError(refused, WHERE).code).toBe('OriginConnectError');
  });
});
