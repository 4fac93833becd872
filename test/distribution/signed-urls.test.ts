// The signed-URL rules on their own (docs/cloudfront-reference.md §15), round-tripped with
// @aws-sdk/cloudfront-signer: its canned policy is the one CloudFront builds, its URL-safe base64
// decodes, its signatures verify; the Resource wildcards and the IPv4 ranges.

import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { describe, expect, it } from 'vitest';
import {
  cannedPolicy,
  checkSignature,
  decodeUrlSafeBase64,
  encodeUrlSafeBase64,
  inRange,
  parseCidr,
  parsePolicy,
  resourceMatches,
  signingValuesFromCookies,
  signingValuesFromQuery,
  type TrustedKeyGroups,
} from '../../src/distribution/signed-urls.js';

const PAIR = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const TRUSTED: TrustedKeyGroups = { groups: ['kg'], keys: new Map([['KID', { id: 'KID', keyGroup: 'kg', key: createPublicKey(PAIR.publicKey) }]]) };
const NOW = Date.UTC(2030, 0, 1);
const EXPIRES = NOW / 1000 + 3600;

function split(url: string): { base: string; query: string } {
  const q = url.indexOf('?');
  return { base: url.slice(0, q), query: url.slice(q + 1) };
}

describe('the signer round trip', () => {
  it('canned: the signer signs exactly the policy CloudFront builds, and the URL verifies', () => {
    const url = getSignedUrl({ url: 'https://d111111abcdef8.cloudfront.net/images/a.jpg?size=large', keyPairId: 'KID', privateKey: PAIR.privateKey, dateLessThan: new Date(EXPIRES * 1000).toISOString() });
    const { base, query } = split(url);
    const got = signingValuesFromQuery(query);
    expect(got?.rest).toBe('size=large');
    expect(got?.values).toMatchObject({ source: 'query', keyPairId: 'KID', expires: String(EXPIRES), policy: undefined });
    const resource = `${base}?${got?.rest}`;
    expect(checkSignature(TRUSTED, got!.values, { url: resource, clientIp: '192.0.2.1', now: NOW })).toBeUndefined();
    // What was signed: the canned policy, byte for byte.
    expect(cannedPolicy(resource, EXPIRES)).toBe(`{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`);
  });

  it('custom: the Policy parameter decodes from URL-safe base64 to the policy JSON, and verifies', () => {
    const policy = JSON.stringify({ Statement: [{ Resource: 'https://d111111abcdef8.cloudfront.net/training/*', Condition: { DateLessThan: { 'AWS:EpochTime': EXPIRES }, IpAddress: { 'AWS:SourceIp': '192.0.2.0/24' } } }] });
    const url = getSignedUrl({ url: 'https://d111111abcdef8.cloudfront.net/training/orientation.pdf', keyPairId: 'KID', privateKey: PAIR.privateKey, policy });
    const { base, query } = split(url);
    const got = signingValuesFromQuery(query);
    expect(decodeUrlSafeBase64(got?.values.policy ?? '')?.toString('utf8')).toBe(policy);
    expect(checkSignature(TRUSTED, got!.values, { url: base, clientIp: '192.0.2.77', now: NOW })).toBeUndefined();
    expect(checkSignature(TRUSTED, got!.values, { url: base, clientIp: '198.51.100.1', now: NOW })?.code).toBe('SignatureAccessDenied');
  });

  it('cookies: the signer’s cookies, as a browser sends them, verify', () => {
    const cookies = getSignedCookies({ url: 'https://example.org/private/x', keyPairId: 'KID', privateKey: PAIR.privateKey, dateLessThan: new Date(EXPIRES * 1000).toISOString() });
    const header = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    const v = signingValuesFromCookies([`theme=dark; ${header}`]);
    expect(v).toMatchObject({ source: 'cookie', keyPairId: 'KID', expires: String(EXPIRES) });
    expect(checkSignature(TRUSTED, v, { url: 'https://example.org/private/x', clientIp: '192.0.2.1', now: NOW })).toBeUndefined();
    expect(checkSignature(TRUSTED, v, { url: 'https://example.org/private/y', clientIp: '192.0.2.1', now: NOW })?.code).toBe('SignatureAccessDenied');
  });
});

describe('verdicts are remembered per key, never across keys', () => {
  it('a signature that verified once still verifies; the same key id with another key does not accept it', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const impostor: TrustedKeyGroups = { groups: ['kg'], keys: new Map([['KID', { id: 'KID', keyGroup: 'kg', key: createPublicKey(other.publicKey) }]]) };
    const url = getSignedUrl({ url: 'https://example.org/m', keyPairId: 'KID', privateKey: PAIR.privateKey, dateLessThan: new Date(EXPIRES * 1000).toISOString() });
    const { base, query } = split(url);
    const v = signingValuesFromQuery(query)?.values;
    if (v === undefined) throw new Error('no signing values');
    const req = { url: base, clientIp: '192.0.2.1', now: NOW };
    expect(checkSignature(TRUSTED, v, req)).toBeUndefined();
    expect(checkSignature(TRUSTED, v, req)).toBeUndefined();
    expect(checkSignature(impostor, v, req)?.code).toBe('SignatureAccessDenied');
    // Remembered or not, the conditions are checked every time.
    expect(checkSignature(TRUSTED, v, { ...req, now: EXPIRES * 1000 })?.reason).toMatch(/^expired at/);
  });
});

describe('the pieces', () => {
  it('URL-safe base64: + → -, = → _, / → ~ and back; other characters are not base64', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(bytes.toString('base64')).toBe('+/+/AQ==');
    expect(encodeUrlSafeBase64(bytes)).toBe('-~-~AQ__');
    expect(decodeUrlSafeBase64('-~-~AQ__')).toEqual(bytes);
    expect(decodeUrlSafeBase64('+/+/AQ==')).toBeUndefined();
    expect(decodeUrlSafeBase64('')).toBeUndefined();
  });

  it('Resource wildcards: * is zero or more characters, ? exactly one, anywhere', () => {
    const p = 'http://d111111abcdef8.cloudfront.net/*game_download.zip*';
    expect(resourceMatches(p, 'http://d111111abcdef8.cloudfront.net/game_download.zip')).toBe(true);
    expect(resourceMatches(p, 'http://d111111abcdef8.cloudfront.net/example_game_download.zip?license=yes')).toBe(true);
    expect(resourceMatches(p, 'http://d111111abcdef8.cloudfront.net/game.zip')).toBe(false);
    expect(resourceMatches('http*://example.org/a?.txt', 'https://example.org/a1.txt')).toBe(true);
    expect(resourceMatches('http*://example.org/a?.txt', 'https://example.org/a.txt')).toBe(false);
    expect(resourceMatches('http://*', 'http://anything/at/all?x=1')).toBe(true);
    expect(resourceMatches('https://example.org/a', 'https://example.org/a/b')).toBe(false);
    // Many stars against a long near-miss stay linear-ish (no exponential backtracking).
    expect(resourceMatches(`${'*a'.repeat(50)}b`, 'a'.repeat(5000))).toBe(false);
  });

  it('IPv4 CIDR ranges; a bare address is /32; IPv6 is not taken', () => {
    const r = parseCidr('192.0.2.0/24');
    expect(r && inRange(r, '192.0.2.255')).toBe(true);
    expect(r && inRange(r, '192.0.3.0')).toBe(false);
    const one = parseCidr('203.0.113.9');
    expect(one && inRange(one, '203.0.113.9')).toBe(true);
    expect(one && inRange(one, '203.0.113.10')).toBe(false);
    const all = parseCidr('0.0.0.0/0');
    expect(all && inRange(all, '8.8.8.8')).toBe(true);
    expect(all && inRange(all, '::1')).toBe(false);
    expect(parseCidr('2001:db8::/32')).toBeUndefined();
    expect(parseCidr('192.0.2.0/33')).toBeUndefined();
    expect(parseCidr('256.0.0.1/32')).toBeUndefined();
  });

  it('a custom policy’s shape: one statement, DateLessThan required, numbers unquoted, no unknown names', () => {
    const ok = parsePolicy('{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10},"DateGreaterThan":{"AWS:EpochTime":5}}}]}');
    expect(ok).toEqual({ resource: undefined, dateLessThan: 10, dateGreaterThan: 5, ipAddress: undefined });
    expect(parsePolicy('{"Statement":[]}')).toBe('the policy must have exactly one statement, it has 0');
    expect(parsePolicy('{"Statement":[{"Resource":"x","Condition":{}}]}')).toBe('"Condition" has no DateLessThan (it is required)');
    expect(parsePolicy('{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"10"}}}]}')).toBe('Condition.DateLessThan."AWS:EpochTime" must be a whole number of seconds, not "10"');
    expect(parsePolicy('{"Statement":[{"Resource":"x","Condition":{"DateLessThen":{"AWS:EpochTime":10}}}]}')).toMatch(/unknown key "DateLessThen"/);
    expect(parsePolicy('{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10},"IpAddress":{"AWS:SourceIp":"2001:db8::/32"}}}]}')).toMatch(/IPv6 is not supported/);
    expect(parsePolicy('[1]')).toBe('the policy has no "Statement" list');
  });

  it('the query string: signing parameters out, the URL’s own in their order; none at all is not a signed URL', () => {
    expect(signingValuesFromQuery('a=1&Expires=5&b=2&Signature=x&Key-Pair-Id=K&Hash-Algorithm=SHA256')).toEqual({
      values: { source: 'query', keyPairId: 'K', signature: 'x', policy: undefined, expires: '5', hashAlgorithm: 'SHA256' },
      rest: 'a=1&b=2',
    });
    expect(signingValuesFromQuery('a=1&expires=5')).toBeUndefined();
    expect(signingValuesFromQuery('')).toBeUndefined();
  });
});
