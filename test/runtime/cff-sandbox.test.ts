// The CloudFront Functions runtime, run in real worker threads: what a function can and cannot see in
// each runtime version, the modules, the frozen clock, KeyValueStore reads, logs and failures.

import { describe, expect, it } from 'vitest';
import type { CffEnvelope } from '../../src/runtime/cff-protocol.js';
import { REQUEST_EVENT, startCff, within } from './cff-helpers.js';

async function logsOf(code: string, runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0', opts: Parameters<typeof startCff>[2] = {}): Promise<string[]> {
  const t = startCff(code, runtime, opts);
  expect((await within(t.loaded, 10_000, 'load')).t).toBe('ready');
  const env = await t.run(REQUEST_EVENT);
  if (!env.ok) throw new Error(`${env.errorType}: ${env.errorMessage}`);
  return env.logs;
}

function ok(env: CffEnvelope): unknown {
  if (!env.ok) throw new Error(`run failed: ${env.errorType}: ${env.errorMessage}`);
  return env.result;
}

const PROBE = `function handler(event) {
  var names = ['process', 'require', 'setTimeout', 'setImmediate', 'queueMicrotask', 'fetch', 'Map', 'Set', 'Proxy', 'Reflect', 'Intl',
    'BigInt', 'WebAssembly', 'SharedArrayBuffer', 'Buffer', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'DataView', 'Symbol',
    'InternalError', 'MemoryError', 'globalThis', 'structuredClone', 'URL'];
  var out = [];
  for (var i = 0; i < names.length; i++) out.push(names[i] + '=' + typeof globalThis[names[i]]);
  console.log(out.join(' '));
  console.log(['flat', 'at', 'entries', 'includes', 'find'].map(function (m) { return m + '=' + typeof [][m]; }).join(' '));
  console.log(['replaceAll', 'padStart', 'at', 'normalize', 'charCodeAt', 'toUTF8', 'bytesFrom'].map(function (m) { return m + '=' + typeof ''[m]; }).join(' '));
  console.log(['all', 'any', 'resolve'].map(function (m) { return m + '=' + typeof Promise[m]; }).join(' '));
  console.log(['fromEntries', 'entries', 'getOwnPropertyDescriptors', 'assign'].map(function (m) { return m + '=' + typeof Object[m]; }).join(' '));
  console.log(['map', 'forEach', 'slice'].map(function (m) { return m + '=' + typeof new Uint8Array(1)[m]; }).join(' '));
  console.log('console: ' + Object.getOwnPropertyNames(console).join(','));
  return event.request;
}`;

describe('CloudFront Functions runtime: what a function can see', () => {
  it('cloudfront-js-1.0: ES5.1 and the listed extras; no Node, no 2.0 additions', async () => {
    const logs = await logsOf(PROBE, 'cloudfront-js-1.0');
    // `require` is there (for crypto and querystring); nothing else of Node is
    expect(logs[0]).toBe(
      'process=undefined require=function setTimeout=undefined setImmediate=undefined queueMicrotask=undefined fetch=undefined ' +
        'Map=undefined Set=undefined Proxy=undefined Reflect=undefined Intl=undefined BigInt=undefined WebAssembly=undefined ' +
        'SharedArrayBuffer=undefined Buffer=undefined TextEncoder=undefined TextDecoder=undefined atob=undefined btoa=undefined ' +
        'DataView=undefined Symbol=undefined InternalError=function MemoryError=function globalThis=object structuredClone=undefined URL=undefined',
    );
    expect(logs.slice(1)).toEqual([
      'flat=undefined at=undefined entries=undefined includes=function find=function',
      'replaceAll=undefined padStart=function at=undefined normalize=undefined charCodeAt=function toUTF8=function bytesFrom=function',
      'all=undefined any=undefined resolve=function',
      'fromEntries=undefined entries=function getOwnPropertyDescriptors=undefined assign=function',
      'map=undefined forEach=undefined slice=function',
      'console: log',
    ]);
  });

  it('cloudfront-js-2.0: adds Buffer, TextEncoder/Decoder, atob/btoa, DataView, Symbol, Promise combinators; drops the byte-string methods', async () => {
    const logs = await logsOf(PROBE, 'cloudfront-js-2.0');
    expect(logs[0]).toBe(
      'process=undefined require=function setTimeout=undefined setImmediate=undefined queueMicrotask=undefined fetch=undefined ' +
        'Map=undefined Set=undefined Proxy=undefined Reflect=undefined Intl=undefined BigInt=undefined WebAssembly=undefined ' +
        'SharedArrayBuffer=undefined Buffer=function TextEncoder=function TextDecoder=function atob=function btoa=function ' +
        'DataView=function Symbol=function InternalError=function MemoryError=undefined globalThis=object structuredClone=undefined URL=undefined',
    );
    expect(logs.slice(1)).toEqual([
      'flat=undefined at=undefined entries=undefined includes=function find=function',
      'replaceAll=function padStart=function at=undefined normalize=undefined charCodeAt=function toUTF8=undefined bytesFrom=undefined',
      'all=function any=function resolve=function',
      'fromEntries=undefined entries=function getOwnPropertyDescriptors=function assign=function',
      'map=function forEach=function slice=function',
      'console: log',
    ]);
  });

  it('eval, the Function constructor and every way to reach one throw EvalError; nothing of the worker is reachable', async () => {
    const logs = await logsOf(
      `var crypto = require('crypto');
function handler(event) {
  var tries = [
    function () { return eval('1'); },
    function () { return new Function('return 1')(); },
    function () { return (function () {}).constructor('return 1')(); },
    function () { return crypto.createHash.constructor('return process')(); },
    function () { return console.log.constructor('return process')(); },
    function () { return require.constructor('return process')(); },
  ];
  for (var i = 0; i < tries.length; i++) {
    try { tries[i](); console.log(i + ': ran'); } catch (e) { console.log(i + ': ' + e.name); }
  }
  try { throw new Error('x'); } catch (e) { console.log('error realm: ' + (e instanceof Error)); }
  return event.request;
}`,
      'cloudfront-js-1.0',
    );
    expect(logs).toEqual(['0: EvalError', '1: EvalError', '2: EvalError', '3: EvalError', '4: EvalError', '5: EvalError', 'error realm: true']);
  });

  it('Date is the run start for the whole run (an injectable clock); code runs in strict mode', async () => {
    const t = startCff(
      `function handler(event) {
  var a = Date.now(); for (var i = 0; i < 100000; i++) {}
  console.log(a + ' ' + Date.now() + ' ' + new Date().toISOString() + ' ' + (new Date(0)).getTime() + ' ' + (Date() === new Date(a).toString()));
  try { undeclared = 1; console.log('sloppy'); } catch (e) { console.log('strict: ' + e.name); }
  return event.request;
}`,
      'cloudfront-js-1.0',
    );
    expect((await within(t.loaded, 10_000, 'load')).t).toBe('ready');
    const at = Date.UTC(2030, 5, 1, 12, 0, 0);
    const env = await t.run(REQUEST_EVENT, { nowMs: at });
    expect(env.logs).toEqual([`${at} ${at} 2030-06-01T12:00:00.000Z 0 true`, 'strict: ReferenceError']);
  });

  it('crypto: md5/sha1/sha256 hashes and HMACs in hex/base64/base64url; no digest encoding → byte string in 1.0, Buffer in 2.0', async () => {
    const code = `var crypto = require('crypto');
function handler(event) {
  console.log(crypto.createHash('sha256').update('abc').digest('hex'));
  console.log(crypto.createHmac('sha1', 'key').update('The quick brown fox jumps over the lazy dog').digest('base64'));
  console.log(crypto.createHash('md5').update('a').update('b').digest('base64url'));
  var raw = crypto.createHash('sha1').update('abc').digest();
  console.log(typeof raw + ' ' + raw.length);
  try { crypto.createHash('sha512'); } catch (e) { console.log(e.message); }
  return event.request;
}`;
    const one = await logsOf(code, 'cloudfront-js-1.0');
    expect(one).toEqual([
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      '3nybhbi3iqa8ino29wqQcBydtNk=',
      'GH70Q2Ei0cwvQNwrkvDroA',
      'string 20',
      'Digest method not supported: sha512 (md5, sha1, sha256)',
    ]);
    const two = await logsOf(code.replace('typeof raw', "(Buffer.isBuffer(raw) ? 'Buffer' : typeof raw)"), 'cloudfront-js-2.0');
    expect(two[3]).toBe('Buffer 20');
  });

  it('querystring: parse/stringify/escape/unescape; 1.0 byte strings; 2.0 Buffer, TextEncoder and atob', async () => {
    const one = await logsOf(
      `var qs = require('querystring');
function handler(event) {
  var p = qs.parse('name=value&abc=xyz&abc=123');
  console.log(JSON.stringify(p) + ' ' + Array.isArray(p.abc) + ' ' + (p.abc instanceof Array));
  console.log(qs.stringify({ name: 'value', abc: ['xyz', '123'], anotherName: '' }) + ' ' + qs.escape('a b') + ' ' + qs.unescape('%41'));
  console.log(String.bytesFrom('68656c6c6f', 'hex') + ' ' + 'é'.toUTF8().length + ' ' + 'é'.toUTF8().fromUTF8() + ' ' + ('\\u0100'.toBytes() === null));
  return event.request;
}`,
      'cloudfront-js-1.0',
    );
    expect(one).toEqual(['{"name":"value","abc":["xyz","123"]} true true', 'name=value&abc=xyz&abc=123&anotherName= a%20b A', 'hello 2 é true']);
    const two = await logsOf(
      `function handler(event) {
  var b = Buffer.from('héllo', 'utf8');
  console.log(b.length + ' ' + b.toString('hex') + ' ' + b.toString('base64') + ' ' + Buffer.from('aGk', 'base64url').toString());
  var w = Buffer.alloc(8); w.writeUInt32BE(0xdeadbeef, 0); w.writeInt16LE(-2, 4);
  console.log(w.toString('hex') + ' ' + w.readUInt32BE(0).toString(16) + ' ' + w.readInt16LE(4) + ' ' + Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString());
  console.log(Buffer.isEncoding('latin1') + ' ' + Buffer.byteLength('é') + ' ' + (b instanceof Uint8Array) + ' ' + b.slice(1, 3).toString('hex'));
  try { Buffer.from('x', 'latin1'); } catch (e) { console.log(e.name + ': ' + e.message); }
  console.log(new TextEncoder().encode('é').length + ' ' + new TextDecoder().decode(new Uint8Array([0xc3, 0xa9])) + ' ' + atob(btoa('hi')));
  return event.request;
}`,
      'cloudfront-js-2.0',
    );
    expect(two).toEqual([
      '6 68c3a96c6c6f aMOpbGxv hi',
      'deadbeeffeff0000 deadbeef -2 ab',
      'false 2 true c3a9',
      'TypeError: Unknown encoding: latin1',
      '2 é hi',
    ]);
  });

  it('an async handler (2.0) settles within the run; a promise nothing can settle is an error, not a hang', async () => {
    const t = startCff(
      `async function handler(event) {
  var v = await Promise.all([Promise.resolve(1), 2]);
  if (event.request.uri === '/never') await new Promise(function () {});
  event.request.headers['x-v'] = { value: String(v) };
  return event.request;
}`,
      'cloudfront-js-2.0',
    );
    expect((await within(t.loaded, 10_000, 'load')).t).toBe('ready');
    const env = await t.run(REQUEST_EVENT);
    expect((ok(env) as { headers: Record<string, unknown> }).headers['x-v']).toEqual({ value: '1,2' });
    const never = await t.run({ ...REQUEST_EVENT, request: { ...REQUEST_EVENT.request, uri: '/never' } });
    expect(never).toMatchObject({ ok: false, errorType: 'Error', errorMessage: expect.stringMatching(/promise never settled/) });
  });

  it('a throw or a rejection is an execution error with the function\'s own stack; the next run is fine', async () => {
    const t = startCff(
      `async function handler(event) {
  if (event.request.uri === '/throw') null.x;
  if (event.request.uri === '/reject') throw new TypeError('nope');
  return event.request;
}`,
      'cloudfront-js-2.0',
      { file: '/fns/fail.js' },
    );
    await within(t.loaded, 10_000, 'load');
    const thrown = await t.run({ ...REQUEST_EVENT, request: { ...REQUEST_EVENT.request, uri: '/throw' } });
    expect(thrown).toMatchObject({ ok: false, errorType: 'TypeError', errorMessage: "Cannot read properties of null (reading 'x')" });
    if (thrown.ok) throw new Error('unreachable');
    expect(thrown.stack.split('\n')).toEqual(["TypeError: Cannot read properties of null (reading 'x')", '    at handler (/fns/fail.js:2:44)']);
    expect(await t.run({ ...REQUEST_EVENT, request: { ...REQUEST_EVENT.request, uri: '/reject' } })).toMatchObject({ ok: false, errorType: 'TypeError', errorMessage: 'nope' });
    expect(ok(await t.run(REQUEST_EVENT))).toMatchObject({ uri: '/index.html' });
  });

  it('top-level code runs once per worker at load; a top-level throw is a load error naming the line', async () => {
    const t = startCff("var runs = 0;\nfunction handler(event) { runs++; console.log('run ' + runs); return event.request; }", 'cloudfront-js-1.0');
    await within(t.loaded, 10_000, 'load');
    expect((await t.run(REQUEST_EVENT)).logs).toEqual(['run 1']);
    expect((await t.run(REQUEST_EVENT)).logs).toEqual(['run 2']);
    const bad = startCff("var a = 1;\nnull.boom;\nfunction handler(event) { return event.request; }", 'cloudfront-js-1.0', { file: '/fns/top.js' });
    expect(await within(bad.loaded, 10_000, 'load')).toEqual({ t: 'init-error', errorType: 'TypeError', errorMessage: "Cannot read properties of null (reading 'boom')", location: '/fns/top.js:2:6' });
  });

  it('console.log lines are cut at 10 KB per run', async () => {
    const t = startCff("function handler(event) { for (var i = 0; i < 100; i++) console.log(i + ' ' + 'x'.repeat(200)); return event.request; }", 'cloudfront-js-1.0');
    await within(t.loaded, 10_000, 'load');
    const env = await t.run(REQUEST_EVENT);
    expect(env.logsTruncated).toBe(true);
    expect(env.logs.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(10 * 1024);
    expect(env.logs.length).toBe(51);
    expect(env.logs[0]).toBe(`0 ${'x'.repeat(200)}`);
  });
});

describe('CloudFront Functions runtime: the cloudfront module (2.0)', () => {
  const kvs = { id: '0e1f2a3b-0000-5000-8000-000000000001', entries: [['greeting', 'hello'], ['cfg', '{"a":1}'], ['bad', '{']] as Array<[string, string]>, creationDateTime: '2026-01-01T00:00:00.000Z', lastUpdatedDateTime: '2026-01-02T00:00:00.000Z' };

  it('kvs.get in string, json and bytes formats; exists; meta; a missing key and bad JSON reject', async () => {
    const logs = await logsOf(
      `import cf from 'cloudfront';
const store = cf.kvs();
async function handler(event) {
  console.log(await store.get('greeting') + ' ' + (await store.get('cfg', { format: 'json' })).a + ' ' + (await store.get('greeting', { format: 'bytes' })).toString('hex'));
  console.log(await store.exists('greeting') + ' ' + await store.exists('nope'));
  const m = await store.meta();
  console.log(m.keyCount + ' ' + m.creationDateTime + ' ' + m.lastUpdatedDateTime);
  try { await store.get('nope'); } catch (e) { console.log(e.name + ': ' + e.message); }
  try { await store.get('bad', { format: 'json' }); } catch (e) { console.log(e.name); }
  try { cf.kvs('other-id'); } catch (e) { console.log(e.name); }
  console.log(cf.kvs('${'0e1f2a3b-0000-5000-8000-000000000001'}') !== undefined);
  return event.request;
}`,
      'cloudfront-js-2.0',
      { kvs },
    );
    expect(logs).toEqual([
      'hello 1 68656c6c6f',
      'true false',
      '3 2026-01-01T00:00:00.000Z 2026-01-02T00:00:00.000Z',
      'KeyNotFound: Key "nope" not found in the key value store',
      'SyntaxError',
      'KVSNamespaceNotFound',
      'true',
    ]);
  });

  it('cf.kvs() with no store associated fails at load (top-level) with KVSNamespaceNotFound', async () => {
    const t = startCff("import cf from 'cloudfront';\nconst s = cf.kvs();\nfunction handler(e) { return e.request; }", 'cloudfront-js-2.0');
    expect(await within(t.loaded, 10_000, 'load')).toMatchObject({ t: 'init-error', errorType: 'KVSNamespaceNotFound' });
  });

  it('a new snapshot of the store is read by the next run', async () => {
    const t = startCff("import cf from 'cloudfront';\nasync function handler(e) { console.log(await cf.kvs().get('greeting')); return e.request; }", 'cloudfront-js-2.0', { kvs });
    await within(t.loaded, 10_000, 'load');
    expect((await t.run(REQUEST_EVENT)).logs).toEqual(['hello']);
    t.setKvs({ ...kvs, entries: [['greeting', 'bonjour']] });
    expect((await t.run(REQUEST_EVENT)).logs).toEqual(['bonjour']);
  });

  it('origin helpers are recorded for the host; edgeLocation at viewer-request only; rawQueryString()', async () => {
    const t = startCff(
      `import cf from 'cloudfront';
function handler(event) {
  cf.updateRequestOrigin({ domainName: 'api.example.com', originPath: '/v2' });
  cf.selectRequestOriginById('backup');
  console.log(JSON.stringify(cf.edgeLocation) + ' ' + event.request.rawQueryString());
  return event.request;
}`,
      'cloudfront-js-2.0',
      { edgeLocation: { name: 'SEA', serverIp: '1.2.3.4', region: 'us-west-2' } },
    );
    await within(t.loaded, 10_000, 'load');
    const env = await t.run(REQUEST_EVENT, { rawQuery: 'a=1&b' });
    expect(env.origin).toEqual([
      { helper: 'updateRequestOrigin', args: [{ domainName: 'api.example.com', originPath: '/v2' }] },
      { helper: 'selectRequestOriginById', args: ['backup'] },
    ]);
    expect(env.logs).toEqual(['{"name":"SEA","serverIp":"1.2.3.4","region":"us-west-2"} a=1&b']);
    const vr = await t.run({ ...REQUEST_EVENT, response: { statusCode: 200, headers: {}, cookies: {} } }, { eventType: 'viewer-response' });
    expect(vr.logs).toEqual(['{} undefined']);
  });
});
