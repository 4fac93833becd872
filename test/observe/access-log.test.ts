// CloudFront's standard access log: field order, encoding, result types, and the appending writer.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import {
  ACCESS_LOG_FIELDS,
  ACCESS_LOG_HEADER,
  type AccessRecord,
  createAccessLog,
  detailedResultType,
  formatAccessLogLine,
  logEncode,
  resultType,
} from '../../src/observe/access-log.js';

function record(over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    end: new Date('2019-12-04T21:02:31.123Z'),
    edgeLocation: 'LAX1-C3',
    scBytes: 392,
    clientIp: '192.0.2.100',
    method: 'GET',
    distributionDomainName: 'd111111abcdef8.cloudfront.net',
    uriStem: '/index.html',
    status: 200,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    xCache: 'Hit',
    requestId: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
    hostHeader: 'd111111abcdef8.cloudfront.net',
    protocol: 'http',
    csBytes: 78,
    timeTakenMs: 2,
    completed: true,
    httpVersion: '1.1',
    clientPort: 11040,
    ttfbMs: 1,
    contentType: 'text/html',
    contentLength: '78',
    ...over,
  };
}

describe('formatAccessLogLine', () => {
  it('writes the 33 fields in CloudFront order, tab-separated, `-` for empty values', () => {
    const f = formatAccessLogLine(record()).split('\t');
    expect(f).toHaveLength(ACCESS_LOG_FIELDS.length);
    expect(ACCESS_LOG_FIELDS).toHaveLength(33);
    const by = Object.fromEntries(ACCESS_LOG_FIELDS.map((name, i) => [name, f[i]]));
    expect(by).toEqual({
      date: '2019-12-04',
      time: '21:02:31',
      'x-edge-location': 'LAX1-C3',
      'sc-bytes': '392',
      'c-ip': '192.0.2.100',
      'cs-method': 'GET',
      'cs(Host)': 'd111111abcdef8.cloudfront.net',
      'cs-uri-stem': '/index.html',
      'sc-status': '200',
      'cs(Referer)': '-',
      'cs(User-Agent)': 'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)',
      'cs-uri-query': '-',
      'cs(Cookie)': '-',
      'x-edge-result-type': 'Hit',
      'x-edge-request-id': 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
      'x-host-header': 'd111111abcdef8.cloudfront.net',
      'cs-protocol': 'http',
      'cs-bytes': '78',
      'time-taken': '0.002',
      'x-forwarded-for': '-',
      'ssl-protocol': '-',
      'ssl-cipher': '-',
      'x-edge-response-result-type': 'Hit',
      'cs-protocol-version': 'HTTP/1.1',
      'fle-status': '-',
      'fle-encrypted-fields': '-',
      'c-port': '11040',
      'time-to-first-byte': '0.001',
      'x-edge-detailed-result-type': 'Hit',
      'sc-content-type': 'text/html',
      'sc-content-len': '78',
      'sc-range-start': '-',
      'sc-range-end': '-',
    });
  });

  it('errors: result type Error, the precise error in the detailed type; a viewer that went away is 000 / ClientCommError', () => {
    const lambda = formatAccessLogLine(record({ status: 503, xCache: 'LambdaExecutionError', errorCode: 'LambdaExecutionError' })).split('\t');
    expect([lambda[8], lambda[13], lambda[22], lambda[28]]).toEqual(['503', 'Error', 'Error', 'LambdaExecutionError']);
    const origin = formatAccessLogLine(record({ status: 502, xCache: 'Error', errorCode: 'OriginConnectError' })).split('\t');
    expect(origin[28]).toBe('OriginConnectError');
    const gone = formatAccessLogLine(record({ status: 0, completed: false, xCache: 'Miss' })).split('\t');
    expect([gone[8], gone[13], gone[22], gone[28]]).toEqual(['000', 'Miss', 'Error', 'ClientCommError']);
  });

  it('query strings keep their encoding one level deeper, as CloudFront logs them; ranges come from Content-Range', () => {
    const f = formatAccessLogLine(record({ query: 'a=b%3Dc&q=x y', status: 206, contentRange: 'bytes 100-199/1000' })).split('\t');
    expect(f[11]).toBe('a=b%253Dc&q=x%20y');
    expect([f[31], f[32]]).toEqual(['100', '199']);
  });

  it('maps X-Cache values to result types', () => {
    expect(['Hit', 'RefreshHit', 'Miss', 'LambdaGeneratedResponse', 'Error', 'LambdaValidationError', undefined].map(resultType)).toEqual([
      'Hit',
      'RefreshHit',
      'Miss',
      'Miss',
      'Error',
      'Error',
      'Error',
    ]);
    expect(detailedResultType('LambdaGeneratedResponse', undefined)).toBe('MissGeneratedResponse');
    expect(detailedResultType('LambdaLimitExceeded', undefined)).toBe('LambdaLimitExceeded');
  });

  it('logEncode: spaces, controls, quotes and non-ASCII percent-encoded; empty is -', () => {
    expect(logEncode('a b\t"c"é')).toBe('a%20b%09%22c%22%C3%A9');
    expect(logEncode('')).toBe('-');
    expect(logEncode(undefined)).toBe('-');
    expect(logEncode('\ud800')).toBe('%EF%BF%BD');
  });
});

describe('createAccessLog', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes the #Version/#Fields header once into a new file and appends lines across restarts', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-access-'));
    const file = path.join(dir, 'access.log');
    const first = createAccessLog(file, memoryLogger());
    first.write(record());
    await first.close();
    const second = createAccessLog(file, memoryLogger());
    second.write(record({ uriStem: '/two' }));
    await second.close();
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(ACCESS_LOG_HEADER)).toBe(true);
    expect(text.match(/^#Version: 1\.0$/gm)).toHaveLength(1);
    const lines = text.trimEnd().split('\n').slice(2);
    expect(lines.map((l) => l.split('\t')[7])).toEqual(['/index.html', '/two']);
  });

  it('appends to an existing non-empty file without a second header', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-access-'));
    const file = path.join(dir, 'access.log');
    await writeFile(file, 'existing\n');
    const log = createAccessLog(file, memoryLogger());
    log.write(record());
    await log.close();
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe('existing');
    expect(await readFile(file, 'utf8')).not.toContain('#Version');
  });

  it('an unwritable path logs one clear error and never throws', async () => {
    const log = memoryLogger();
    const a = createAccessLog('/nonexistent-dir-edgeproxy/access.log', log);
    a.write(record());
    a.write(record());
    await a.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(log.lines.filter((l) => l.includes('access log /nonexistent-dir-edgeproxy/access.log'))).toHaveLength(1);
  });
});
