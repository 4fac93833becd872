// Signed URLs and signed cookies end to end (docs/cloudfront-reference.md §15), through the real proxy,
// with URLs and cookies made by @aws-sdk/cloudfront-signer: canned and custom policies, a wildcard
// Resource, a date window, an IP condition, SHA256 and an ECDSA key, and every way a signature can be
// wrong (missing, unknown key, malformed policy, expired, not yet valid, wrong key, wrong resource,
// wrong IP, tampered) — each a 403 with CloudFront's XML error, before any function runs.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/cache/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { startEdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, type Reply, send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

function rsa(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

const K1 = rsa();
const K3 = rsa();
const EC = generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

const hourFromNow = (): string => new Date(Date.now() + 3600_000).toISOString();
const hourAgo = (): string => new Date(Date.now() - 3600_000).toISOString();

function xml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** The path and query of a full signed URL, for send(). */
function target(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function expectRefused(r: Reply, code: string, message: string): void {
  expect(r.status).toBe(403);
  expect(r.headers['content-type']).toBe('text/xml');
  expect(r.headers['x-cache']).toBe('Error from cloudfront');
  expect(r.text).toBe(xml(code, message));
}

describe('signed URLs and signed cookies', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' });
      res.end(`origin ${req.url}`);
    });
    dir = mkdtempSync(path.join(tmpdir(), 'edgeproxy-keys-'));
    writeFileSync(path.join(dir, 'ec.pem'), EC.publicKey);
    proxy = await startProxy(
      {
        origins: [{ id: 'o', url: origin.url }],
        functions: [{ id: 'gen', file: path.join(FIXTURES, 'e2e/fns.mjs'), export: 'generate' }],
        publicKeys: [
          { id: 'K1EXAMPLE', name: 'rsa', encodedKey: K1.publicKey },
          { id: 'K2EXAMPLE', name: 'ec', file: 'ec.pem' },
          { id: 'K3EXAMPLE', encodedKey: K3.publicKey },
          // A legacy CloudFront key pair's public key, under its key pair ID.
          { id: 'APKAEIBAERJR2EXAMPLE', encodedKey: K3.publicKey },
        ],
        keyGroups: [
          { id: 'kg-1', name: 'signers', items: ['K1EXAMPLE'] },
          { id: 'kg-2', items: ['K2EXAMPLE'] },
          { id: 'kg-3', items: ['K3EXAMPLE'] },
          { id: 'kg-legacy', items: ['APKAEIBAERJR2EXAMPLE'] },
        ],
        behaviors: [
          { pathPattern: '/private/*', origin: 'o', trustedKeyGroups: ['signers', 'kg-2'] },
          { pathPattern: '/gen/*', origin: 'o', trustedKeyGroups: ['kg-1'], functions: { 'viewer-request': 'gen' } },
          { pathPattern: '/legacy/*', origin: 'o', trustedKeyGroups: ['kg-legacy'], responseHeadersPolicy: 'SecurityHeadersPolicy' },
          { pathPattern: '*', origin: 'o' },
        ],
      },
      dir,
    );
    base = proxy.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const canned = (p: string, opts: { key?: { privateKey: string }; keyPairId?: string; dateLessThan?: string } = {}): string =>
    getSignedUrl({ url: `${base}${p}`, keyPairId: opts.keyPairId ?? 'K1EXAMPLE', privateKey: (opts.key ?? K1).privateKey, dateLessThan: opts.dateLessThan ?? hourFromNow() });

  function custom(resource: string, condition: Record<string, unknown>): string {
    return JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(Date.now() / 1000) + 3600 }, ...condition } }] });
  }

  it('a behavior without trusted key groups serves unsigned requests', async () => {
    const r = await send(base, '/public.txt');
    expect(r.status).toBe(200);
  });

  it('no signature: 403 MissingKey, nothing reaches the origin', async () => {
    const before = origin.hits;
    const r = await send(base, '/private/a.txt');
    expectRefused(r, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
    expect(origin.hits).toBe(before);
    expect(proxy.logs.some((l) => l.includes('GET /private/a.txt → 403') && l.includes('SignatureMissingKey') && l.includes('no Key-Pair-Id query parameter or CloudFront-Key-Pair-Id cookie'))).toBe(true);
  });

  it('canned policy: the signed URL is served; the signing parameters reach the origin and the cache key', async () => {
    const url = canned('/private/a.txt?color=red');
    const r = await send(base, target(url));
    expect(r.status).toBe(200);
    expect(r.text).toBe(`origin ${target(url)}`);
    expect(origin.requests.at(-1)?.url).toMatch(/^\/private\/a\.txt\?color=red&Expires=\d+&Key-Pair-Id=K1EXAMPLE&Signature=[A-Za-z0-9~_-]+$/);
    const again = await send(base, target(url));
    expect(again.headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('canned policy with a query string of the URL’s own: a changed parameter is a different resource (AccessDenied)', async () => {
    const url = canned('/private/a.txt?color=red').replace('color=red', 'color=blue');
    const r = await send(base, target(url));
    expectRefused(r, 'AccessDenied', 'Access denied');
    expect(proxy.logs.some((l) => l.includes('SignatureAccessDenied') && l.includes('does not verify') && l.includes('color=blue'))).toBe(true);
  });

  it('custom policy with a wildcard Resource: one signature for every object it matches', async () => {
    const policy = custom(`${base}/private/docs/*`, {});
    for (const p of ['/private/docs/a.pdf', '/private/docs/sub/b.pdf?v=2']) {
      const url = getSignedUrl({ url: `${base}${p}`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, policy });
      expect(url).toContain('Policy=');
      const r = await send(base, target(url));
      expect(r.status, p).toBe(200);
    }
  });

  it('wrong resource: a custom policy whose Resource does not match the URL is AccessDenied', async () => {
    const policy = custom(`${base}/private/docs/*`, {});
    const url = getSignedUrl({ url: `${base}/private/other.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, policy });
    const r = await send(base, target(url));
    expectRefused(r, 'AccessDenied', 'Access denied');
    expect(proxy.logs.some((l) => l.includes('SignatureAccessDenied') && l.includes("policy's Resource") && l.includes('/private/other.txt'))).toBe(true);
  });

  it('wrong resource, canned: the parameters of one object’s URL on another object are AccessDenied', async () => {
    const url = canned('/private/a.txt');
    const r = await send(base, target(url).replace('/private/a.txt', '/private/b.txt'));
    expectRefused(r, 'AccessDenied', 'Access denied');
  });

  it('date window: DateGreaterThan in the future is refused, a window around now is served', async () => {
    const soon = getSignedUrl({ url: `${base}/private/w.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow(), dateGreaterThan: new Date(Date.now() + 600_000).toISOString() });
    expectRefused(await send(base, target(soon)), 'AccessDenied', 'Access denied');
    expect(proxy.logs.some((l) => l.includes('SignatureAccessDenied') && l.includes('not valid before'))).toBe(true);
    const now = getSignedUrl({ url: `${base}/private/w.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow(), dateGreaterThan: hourAgo() });
    expect(now).toContain('Policy=');
    expect((await send(base, target(now))).status).toBe(200);
  });

  it('expired: a canned URL past its Expires is AccessDenied', async () => {
    const url = canned('/private/old.txt', { dateLessThan: hourAgo() });
    expectRefused(await send(base, target(url)), 'AccessDenied', 'Access denied');
    expect(proxy.logs.some((l) => l.includes('SignatureAccessDenied') && l.includes('expired at'))).toBe(true);
  });

  it('IP condition: the viewer’s address inside the range is served, outside it is AccessDenied', async () => {
    const inside = getSignedUrl({ url: `${base}/private/ip.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow(), ipAddress: '127.0.0.0/8' });
    expect((await send(base, target(inside))).status).toBe(200);
    const outside = getSignedUrl({ url: `${base}/private/ip.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow(), ipAddress: '192.0.2.0/24' });
    expectRefused(await send(base, target(outside)), 'AccessDenied', 'Access denied');
    expect(proxy.logs.some((l) => l.includes('SignatureAccessDenied') && l.includes('127.0.0.1 is not in 192.0.2.0/24'))).toBe(true);
  });

  it('wrong key: a key outside the behavior’s key groups is InvalidKey; the right key id with another key’s signature is AccessDenied', async () => {
    const other = canned('/private/k.txt', { key: K3, keyPairId: 'K3EXAMPLE' });
    expectRefused(await send(base, target(other)), 'InvalidKey', 'Unknown Key');
    expect(proxy.logs.some((l) => l.includes('SignatureUnknownKey') && l.includes('K3EXAMPLE'))).toBe(true);
    const unknown = canned('/private/k.txt', { keyPairId: 'KNOSUCHKEY' });
    expectRefused(await send(base, target(unknown)), 'InvalidKey', 'Unknown Key');
    const mismatched = canned('/private/k.txt', { key: K3, keyPairId: 'K1EXAMPLE' });
    expectRefused(await send(base, target(mismatched)), 'AccessDenied', 'Access denied');
  });

  it('tampered: a changed signature or expiry is AccessDenied; a policy that is not base64 JSON is MalformedPolicy', async () => {
    const url = canned('/private/t.txt');
    const sig = /Signature=([^&]+)/.exec(url)?.[1] ?? '';
    const flipped = sig[10] === 'A' ? 'B' : 'A';
    const tampered = url.replace(sig, `${sig.slice(0, 10)}${flipped}${sig.slice(11)}`);
    expectRefused(await send(base, target(tampered)), 'AccessDenied', 'Access denied');
    const later = url.replace(/Expires=(\d+)/, (_m, e: string) => `Expires=${Number(e) + 60}`);
    expectRefused(await send(base, target(later)), 'AccessDenied', 'Access denied');
    const urlSafe = Buffer.from('{"Statement":').toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
    const malformed = `/private/t.txt?Policy=${urlSafe}&Signature=${sig}&Key-Pair-Id=K1EXAMPLE`;
    expectRefused(await send(base, malformed), 'MalformedPolicy', 'Malformed Policy');
    expect(proxy.logs.some((l) => l.includes('SignatureMalformedPolicy') && l.includes('not JSON'))).toBe(true);
  });

  it('signed cookies, canned and custom: served with the cookies alone; a tampered cookie is refused', async () => {
    const asHeader = (c: Record<string, string | undefined>): string =>
      Object.entries(c)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
    const cannedCookies = getSignedCookies({ url: `${base}/private/c.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow() });
    expect(cannedCookies['CloudFront-Expires']).toBeDefined();
    expect((await send(base, '/private/c.txt', { headers: { cookie: `session=1; ${asHeader(cannedCookies)}` } })).status).toBe(200);
    const customCookies = getSignedCookies({ keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, policy: custom(`${base}/private/*`, {}) });
    expect(customCookies['CloudFront-Policy']).toBeDefined();
    expect((await send(base, '/private/any/where.txt', { headers: { cookie: asHeader(customCookies) } })).status).toBe(200);
    const bad = { ...customCookies, 'CloudFront-Signature': `A${customCookies['CloudFront-Signature'].slice(1, -4)}AAAA` };
    expectRefused(await send(base, '/private/any/where.txt', { headers: { cookie: asHeader(bad) } }), 'AccessDenied', 'Access denied');
    const noKey = { ...customCookies, 'CloudFront-Key-Pair-Id': undefined };
    expectRefused(await send(base, '/private/any/where.txt', { headers: { cookie: asHeader(noKey) } }), 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
    expect(proxy.logs.some((l) => l.includes('SignatureMissingKey') && l.includes('CloudFront-Key-Pair-Id: no Key-Pair-Id'))).toBe(true);
  });

  it('SHA256 (Hash-Algorithm) and an ECDSA P-256 key read from a file, in the second trusted key group', async () => {
    const url = getSignedUrl({ url: `${base}/private/e.txt`, keyPairId: 'K2EXAMPLE', privateKey: EC.privateKey, dateLessThan: hourFromNow(), algorithm: 'SHA256' });
    expect(url).toContain('Hash-Algorithm=SHA256');
    expect((await send(base, target(url))).status).toBe(200);
    // The same signature claimed as SHA1 does not verify.
    expectRefused(await send(base, target(url.replace('&Hash-Algorithm=SHA256', ''))), 'AccessDenied', 'Access denied');
  });

  it('a legacy key pair ID works like a public key ID; the refusal still gets the behavior’s response headers policy', async () => {
    const url = canned('/legacy/file.zip', { key: K3, keyPairId: 'APKAEIBAERJR2EXAMPLE' });
    const ok = await send(base, target(url));
    expect(ok.status).toBe(200);
    const refused = await send(base, '/legacy/file.zip');
    expectRefused(refused, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
    expect(refused.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('the Resource is the URL the viewer used: a URL signed for the distribution’s domain works with that Host', async () => {
    const url = getSignedUrl({ url: 'http://d111111abcdef8.cloudfront.net/private/dns.txt', keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow() });
    expect((await send(base, target(url), { headers: { host: 'd111111abcdef8.cloudfront.net' } })).status).toBe(200);
    expectRefused(await send(base, target(url)), 'AccessDenied', 'Access denied');
  });

  it('signing parameters in the query string are what counts: good cookies do not rescue a bad signed URL', async () => {
    const cookies = getSignedCookies({ url: `${base}/private/both.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow() });
    const header = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    expect((await send(base, '/private/both.txt', { headers: { cookie: header } })).status).toBe(200);
    const expired = canned('/private/both.txt', { dateLessThan: hourAgo() });
    expectRefused(await send(base, target(expired), { headers: { cookie: header } }), 'AccessDenied', 'Access denied');
  });

  it('HEAD of a signed URL is served without a body; HEAD without a signature is refused', async () => {
    const url = canned('/private/head.txt');
    const r = await send(base, target(url), { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect((await send(base, '/private/head.txt', { method: 'HEAD' })).status).toBe(403);
  });

  it('the signature is checked before the viewer-request function: a refused request runs nothing, a signed one runs it', async () => {
    const refused = await send(base, '/gen/x');
    expectRefused(refused, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
    expect(refused.headers['x-made-by']).toBeUndefined();
    const signed = await send(base, target(canned('/gen/x')));
    expect(signed.status).toBe(200);
    expect(signed.headers['x-made-by']).toBe('generator');
    expect(signed.text).toBe('generated at the edge');
  });
});

describe('signed URL expiry against the proxy’s clock', () => {
  it('served until DateLessThan, refused from that second on', async () => {
    const o = await startOrigin();
    const T = 2_000_000_000; // seconds
    const clock = manualClock(T * 1000 - 1500);
    const p = await startProxy(
      {
        origins: [{ id: 'o', url: o.url }],
        publicKeys: [{ id: 'K1EXAMPLE', encodedKey: K1.publicKey }],
        keyGroups: [{ id: 'kg', items: ['K1EXAMPLE'] }],
        behaviors: [{ pathPattern: '*', origin: 'o', trustedKeyGroups: ['kg'], cachePolicy: 'CachingDisabled' }],
      },
      FIXTURES,
      { clock },
    );
    try {
      const b = p.url.replace(/\/$/, '');
      const url = target(getSignedUrl({ url: `${b}/x`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: new Date(T * 1000).toISOString() }));
      expect(url).toContain(`Expires=${T}`);
      expect((await send(b, url)).status).toBe(200);
      clock.advance(1000);
      expect((await send(b, url)).status).toBe(200);
      clock.advance(500);
      expectRefused(await send(b, url), 'AccessDenied', 'Access denied');
    } finally {
      await p.close();
      await o.close();
    }
  });
});

describe('signed URLs over the HTTPS listener', () => {
  it('the Resource begins https:// there, over HTTP/1.1 and HTTP/2; a URL signed for http:// is refused', async () => {
    const o = await startOrigin();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'edgeproxy-signed-https-'));
    const config = await loadConfig({
      object: {
        listen: { host: '127.0.0.1', port: 0, https: { port: 0 } },
        origins: [{ id: 'o', url: o.url }],
        publicKeys: [{ id: 'K1EXAMPLE', encodedKey: K1.publicKey }],
        keyGroups: [{ id: 'kg', items: ['K1EXAMPLE'] }],
        behaviors: [{ pathPattern: '*', origin: 'o', trustedKeyGroups: ['kg'] }],
      },
      baseDir: FIXTURES,
    });
    const log = memoryLogger();
    const p = await startEdgeProxy({ config, log, stateDir });
    const session = { close: (): void => {} };
    try {
      const httpsUrl = p.https?.url ?? '';
      const ca = readFileSync(p.https?.selfSigned?.certFile ?? '');
      const u = new URL(httpsUrl);
      const h1 = (pathAndQuery: string): Promise<{ status: number; text: string }> =>
        new Promise((resolve, reject) => {
          const req = httpsRequest({ host: u.hostname, port: u.port, path: pathAndQuery, ca, servername: 'localhost', agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          });
          req.setTimeout(10_000, () => req.destroy(new Error('https request timed out')));
          req.on('error', reject);
          req.end();
        });
      const signed = (scheme: string, host = u.host): string => target(getSignedUrl({ url: `${scheme}://${host}/s.txt`, keyPairId: 'K1EXAMPLE', privateKey: K1.privateKey, dateLessThan: hourFromNow() }));
      expect((await h1(signed('https'))).status).toBe(200);
      const wrongScheme = await h1(signed('http'));
      expect(wrongScheme.status).toBe(403);
      expect(wrongScheme.text).toBe(xml('AccessDenied', 'Access denied'));
      // The HTTP/2 client names the certificate's host in :authority, which is the Host the Resource has.
      const h2 = http2Connect(httpsUrl, { ca, servername: 'localhost' });
      session.close = () => h2.close();
      const status = await new Promise<number>((resolve, reject) => {
        const s = h2.request({ ':path': signed('https', `localhost:${u.port}`), ':method': 'GET' });
        let code = 0;
        s.on('response', (h) => {
          code = Number(h[':status']);
        });
        s.on('data', () => {});
        s.on('end', () => resolve(code));
        s.on('error', reject);
        s.setTimeout(10_000, () => s.close());
        s.end();
      });
      expect(status).toBe(200);
      expect(log.lines.some((l) => l.includes('SignatureAccessDenied') && l.includes(`canned policy for https://${u.host}/s.txt`))).toBe(true);
    } finally {
      session.close();
      await p.close();
      await o.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
