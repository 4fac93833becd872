import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendHeader,
  cfHeadersToRaw,
  checkHeaderValue,
  defaultHeaderKey,
  deleteHeader,
  fillKeys,
  getHeader,
  getHeaderValues,
  checkLowerToken,
  HAS_UPPER,
  NOT_TOKEN,
  sameTokenIgnoringCase,
  rawHeaderValue,
  rawToCfHeaders,
  setHeader,
} from '../../src/event/headers.js';
import { isDisallowedHeader } from '../../src/rules/cloudfront.js';
import type { CfHeaders } from '../../src/event/types.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Sends exact bytes over a socket and returns everything the server answers. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (buf += d));
    s.on('end', () => resolve(buf));
    s.on('error', reject);
    s.write(request);
  });
}

describe('rawToCfHeaders / cfHeadersToRaw against a real server', () => {
  it('keeps sent spelling, one entry per line, and writes them back verbatim', async () => {
    let seen: CfHeaders | undefined;
    server = createServer((req: IncomingMessage, res) => {
      seen = rawToCfHeaders(req.rawHeaders);
      const out: CfHeaders = {};
      out['set-cookie'] = [
        { key: 'Set-Cookie', value: 'a=1' },
        { key: 'set-cookie', value: 'b=2' },
      ];
      out['x-no-key'] = [{ value: 'v' }];
      out.connection = [{ key: 'Connection', value: 'close' }];
      res.writeHead(200, cfHeadersToRaw(out));
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const answer = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: a.example\r\naccept: */*\r\nCookie: a=1; b=2\r\nCOOKIE: c=3\r\nX-Weird-Case: x, y\r\nConnection: close\r\n\r\n',
    );
    expect(seen).toEqual({
      host: [{ key: 'Host', value: 'a.example' }],
      accept: [{ key: 'accept', value: '*/*' }],
      cookie: [
        { key: 'Cookie', value: 'a=1; b=2' },
        { key: 'COOKIE', value: 'c=3' },
      ],
      'x-weird-case': [{ key: 'X-Weird-Case', value: 'x, y' }],
      connection: [{ key: 'Connection', value: 'close' }],
    });
    expect(answer).toContain('\r\nSet-Cookie: a=1\r\n');
    expect(answer).toContain('\r\nset-cookie: b=2\r\n');
    expect(answer).toContain('\r\nX-No-Key: v\r\n');
  });

  it('accepts undici-style Buffer items and decodes them as latin1', () => {
    const h = rawToCfHeaders([Buffer.from('Content-Type'), Buffer.from('text/plain'), Buffer.from('X-Bytes'), Buffer.from([0xe9])]);
    expect(h['content-type']).toEqual([{ key: 'Content-Type', value: 'text/plain' }]);
    expect(h['x-bytes']).toEqual([{ key: 'X-Bytes', value: 'é' }]);
  });

  it('drops HTTP/2 pseudo-headers but turns :authority into host when Host is absent', () => {
    expect(rawToCfHeaders([':method', 'GET', ':authority', 'h2.example', 'accept', '*/*'])).toEqual({
      host: [{ key: 'host', value: 'h2.example' }],
      accept: [{ key: 'accept', value: '*/*' }],
    });
    expect(rawToCfHeaders([':authority', 'h2.example', 'host', 'real.example']).host).toEqual([{ key: 'host', value: 'real.example' }]);
  });

  it('stores a header literally named __proto__ as an own property', () => {
    const h = rawToCfHeaders(['__proto__', 'x']);
    expect(Object.keys(h)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
  });
});

describe('defaultHeaderKey', () => {
  it.each([
    ['x-foo-bar', 'X-Foo-Bar'],
    ['host', 'Host'],
    ['x-xss-protection', 'X-Xss-Protection'], // docs/cloudfront-reference.md §10.18: documented rule, not X-XSS
    ['cloudfront-viewer-country', 'Cloudfront-Viewer-Country'],
    ['-x', '-X'],
    ['a--b', 'A--B'],
    ['WWW-authenticate', 'Www-Authenticate'],
  ])('%s → %s', (lower, key) => {
    expect(defaultHeaderKey(lower)).toBe(key);
    expect(defaultHeaderKey(lower)).toBe(key); // cached path
  });
});

describe('small helpers', () => {
  it('fillKeys fills only missing keys', () => {
    const h: CfHeaders = { 'x-a': [{ value: '1' }, { key: 'x-A', value: '2' }] };
    fillKeys(h);
    expect(h['x-a']).toEqual([
      { key: 'X-A', value: '1' },
      { key: 'x-A', value: '2' },
    ]);
  });
  it('get/set/append/delete', () => {
    const h: CfHeaders = {};
    expect(getHeader(h, 'a')).toBeUndefined();
    expect(getHeader(h, 'constructor')).toBeUndefined();
    setHeader(h, 'a', 'A', '1');
    appendHeader(h, 'a', 'A', '2');
    expect(getHeader(h, 'a')).toBe('1');
    expect(getHeaderValues(h, 'a')).toEqual(['1', '2']);
    setHeader(h, 'a', 'A', '3');
    expect(getHeaderValues(h, 'a')).toEqual(['3']);
    deleteHeader(h, 'a');
    expect(h).toEqual({});
  });
  it('isDisallowedHeader covers names and prefixes of AWS rule: disallowed headers', () => {
    for (const n of ['x-cache', 'connection', 'x-amz-cf-id', 'x-amz-cf-pop', 'x-edge-location', 'x-real-ip', 'x-forwarded-proto', 'x-amzn-requestid']) {
      expect(isDisallowedHeader(n), n).toBe(true);
    }
    for (const n of ['x-amz-meta-a', 'x-amzn-trace-id', 'via', 'host', 'x-cached', 'x-edgeproxy']) expect(isDisallowedHeader(n), n).toBe(false);
  });
  it('checkLowerToken, sameTokenIgnoringCase and checkHeaderValue', () => {
    expect(checkLowerToken('x-ok_1.~')).toBe(0);
    expect(checkLowerToken('')).toBe(NOT_TOKEN);
    expect(checkLowerToken('a b')).toBe(NOT_TOKEN);
    expect(checkLowerToken('a:b')).toBe(NOT_TOKEN);
    expect(checkLowerToken('é')).toBe(NOT_TOKEN);
    expect(checkLowerToken('X-Ok')).toBe(HAS_UPPER);
    // Not a token wins over upper case, wherever the bad character is.
    expect(checkLowerToken('X-Ok;')).toBe(NOT_TOKEN);
    expect(sameTokenIgnoringCase('User-Agent', 'user-agent')).toBe(true);
    expect(sameTokenIgnoringCase('USER-AGENT', 'user-agent')).toBe(true);
    expect(sameTokenIgnoringCase('user-agent', 'user-agent')).toBe(true);
    expect(sameTokenIgnoringCase('User_Agent', 'user-agent')).toBe(false);
    expect(sameTokenIgnoringCase('User-Agents', 'user-agent')).toBe(false);
    // U+212A (Kelvin sign) lowercases to "k" but is no token character; '@' + 32 is '`', not a letter pair.
    expect(sameTokenIgnoringCase('\u212Aey', 'key')).toBe(false);
    expect(sameTokenIgnoringCase('a@b', 'a`b')).toBe(false);
    expect(sameTokenIgnoringCase('A^B', 'a~b')).toBe(false);
    expect(checkHeaderValue('a\tb')).toBe('ok');
    expect(checkHeaderValue('a\r\nb')).toBe(13);
    expect(checkHeaderValue('a\0')).toBe(0);
    expect(checkHeaderValue('\x7f')).toBe(127);
    expect(checkHeaderValue('café')).toBe('ok');
    expect(checkHeaderValue('€')).toBe('wide');
  });

  it('checkHeaderValue gives the same answers for long values (they take the regex path)', () => {
    const long = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36';
    expect(checkHeaderValue(long)).toBe('ok');
    expect(checkHeaderValue(`${long}\tcafé ÿ`)).toBe('ok');
    expect(checkHeaderValue(`${long}\r\n`)).toBe(13);
    expect(checkHeaderValue(`\n${long}`)).toBe(10);
    expect(checkHeaderValue(`${long}\x7f`)).toBe(127);
    expect(checkHeaderValue(`${long}\0`)).toBe(0);
    expect(checkHeaderValue(`${long} €`)).toBe('wide');
    // A control character wins over a wide one, wherever each is.
    expect(checkHeaderValue(`€ ${long}\x01`)).toBe(1);
    expect(checkHeaderValue('x'.repeat(17))).toBe('ok');
  });
});

describe('names that exist on Object.prototype', () => {
  it('are ordinary headers', () => {
    const h = rawToCfHeaders(['constructor', 'a', 'toString', 'b', 'Constructor', 'c']);
    expect(h.constructor).toEqual([
      { key: 'constructor', value: 'a' },
      { key: 'Constructor', value: 'c' },
    ]);
    expect(getHeader(h, 'tostring')).toBe('b');
    expect(cfHeadersToRaw(h)).toEqual(['constructor', 'a', 'Constructor', 'c', 'toString', 'b']);
  });
});

describe('rawHeaderValue', () => {
  it('finds the first line of a header whatever its spelling, without building req.headers', () => {
    const raw = ['Host', 'a', 'Content-Length', '12', 'content-length', '99', 'X-Content-Length', '5'];
    expect(rawHeaderValue(raw, 'content-length')).toBe('12');
    expect(rawHeaderValue(raw, 'host')).toBe('a');
    expect(rawHeaderValue(raw, 'transfer-encoding')).toBeUndefined();
  });
});
