// publicKeys / keyGroups / behaviors[].trustedKeyGroups (docs/cloudfront-reference.md §15.1, docs/config.md):
// every mistake is a config problem naming its field, found at start.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const RSA = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const RSA512 = generateKeyPairSync('rsa', { modulusLength: 512, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const ED = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const P384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-keys-'));
  await writeFile(path.join(dir, 'pub.pem'), RSA.publicKey);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ORIGINS = [{ id: 'o', url: 'http://127.0.0.1:8081' }];

async function problems(object: Record<string, unknown>): Promise<string[]> {
  try {
    await loadConfig({ object: { origins: ORIGINS, ...object }, baseDir: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('InvalidConfig');
    return (e as ConfigError).message.split('\n');
  }
  throw new Error('expected the config to be refused');
}

describe('trusted key groups in the config', () => {
  it('resolves a behavior’s key groups, by id or name, to their keys (inline PEM and file)', async () => {
    const c = await loadConfig({
      object: {
        origins: ORIGINS,
        publicKeys: [
          { id: 'K1EXAMPLE', encodedKey: RSA.publicKey },
          { id: 'K2EXAMPLE', file: 'pub.pem', name: 'from-file', comment: 'rotated monthly' },
        ],
        keyGroups: [
          { id: 'a1b2c3d4-kg', name: 'signers', items: ['K1EXAMPLE'] },
          { id: 'kg-2', items: ['K2EXAMPLE', 'K1EXAMPLE'] },
        ],
        behaviors: [{ pathPattern: '/private/*', trustedKeyGroups: ['signers', 'kg-2'] }, { pathPattern: '*' }],
      },
      baseDir: dir,
    });
    const t = c.behaviors[0]?.trustedKeyGroups;
    if (t === undefined) throw new Error('behaviors[0] has no trusted key groups');
    expect(t.groups).toEqual(['a1b2c3d4-kg', 'kg-2']);
    expect([...t.keys.keys()]).toEqual(['K1EXAMPLE', 'K2EXAMPLE']);
    expect(t.keys.get('K2EXAMPLE')?.key.asymmetricKeyType).toBe('rsa');
    expect(c.behaviors[1]?.trustedKeyGroups).toBeUndefined();
    expect(() => (t.keys as Map<string, unknown>).set('X', {})).toThrow(/read-only/);
  });

  it('a public key id is what a signed URL can name: uppercase letters and digits', async () => {
    const lines = await problems({ publicKeys: [{ id: 'k1', encodedKey: RSA.publicKey }] });
    expect(lines).toEqual(['config: publicKeys[0].id: must be uppercase letters and digits, like "K2JCJMDEHXQW5F" (a public key ID) or "APKAEIBAERJR2EXAMPLE" (a legacy key pair ID)']);
  });

  it('names the field of each key that CloudFront would not take', async () => {
    const lines = await problems({
      publicKeys: [
        { id: 'K2', encodedKey: RSA.privateKey },
        { id: 'K3', encodedKey: 'not a key' },
        { id: 'K4', file: 'missing.pem' },
        { id: 'K5', encodedKey: RSA.publicKey, file: 'pub.pem' },
        { id: 'K6', encodedKey: RSA512.publicKey },
        { id: 'K7', encodedKey: ED.publicKey },
        { id: 'K8', encodedKey: P384.publicKey },
        { id: 'K9', encodedKey: RSA.publicKey },
        { id: 'K9', encodedKey: RSA.publicKey },
      ],
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'config: publicKeys[0].encodedKey: is a private key: CloudFront gets only the public key (openssl rsa -pubout -in private_key.pem -out public_key.pem)',
        'config: publicKeys[1].encodedKey: is not a PEM public key ("-----BEGIN PUBLIC KEY-----" … "-----END PUBLIC KEY-----")',
        `config: publicKeys[2].file: cannot read ${path.join(dir, 'missing.pem')}: ENOENT`,
        'config: publicKeys[3]: give the public key either inline as "encodedKey" (PEM) or as "file" (a PEM file), not both or neither',
        'config: publicKeys[4].encodedKey: is an RSA key of 512 bits; CloudFront takes RSA 2048 (or a legacy key pair\'s 1024 or 4096)',
        'config: publicKeys[5].encodedKey: is a ed25519 key; CloudFront takes RSA 2048 or ECDSA P-256',
        'config: publicKeys[6].encodedKey: is an EC key on secp384r1; CloudFront takes ECDSA P-256 (prime256v1)',
        'config: publicKeys[8].id: duplicate public key id "K9"',
      ]),
    );
    expect(lines).toHaveLength(8);
  });

  it('a key group lists at least one public key', async () => {
    const lines = await problems({ publicKeys: [{ id: 'K1', encodedKey: RSA.publicKey }], keyGroups: [{ id: 'empty', items: [] }] });
    expect(lines).toEqual(['config: keyGroups[0].items: must list at least one public key id']);
  });

  it('key group and behavior references are checked against what is defined', async () => {
    const lines = await problems({
      publicKeys: [{ id: 'K1', encodedKey: RSA.publicKey }],
      keyGroups: [
        { id: 'kg', items: ['K1', 'K1', 'NOPE'] },
        { id: 'kg', items: ['K1'] },
      ],
      behaviors: [{ pathPattern: '/a/*', trustedKeyGroups: ['kg', 'other', 'kg'] }, { pathPattern: '/b/*', trustedKeyGroups: [] }],
    });
    expect(lines).toEqual([
      'config: keyGroups[0].items[1]: public key "K1" is listed twice',
      'config: keyGroups[0].items[2]: unknown public key id "NOPE" (defined: "K1")',
      'config: keyGroups[1].id: duplicate key group id or name "kg"',
      'config: behaviors[0].trustedKeyGroups[1]: unknown key group "other" (defined: "kg")',
      'config: behaviors[0].trustedKeyGroups[2]: key group "kg" is listed twice',
      'config: behaviors[1].trustedKeyGroups: must list at least one key group (leave it out for a behavior that does not restrict viewer access)',
    ]);
  });

  it('a misspelt key gets a suggestion', async () => {
    const lines = await problems({ behaviors: [{ pathPattern: '*', trustedKeyGroup: ['kg'] }] });
    expect(lines.join('\n')).toMatch(/behaviors\[0\].*trustedKeyGroup.*did you mean "trustedKeyGroups"/);
  });
});
