// publicKeys[], keyGroups[] and behaviors[].trustedKeyGroups → the keys each behavior trusts
// (docs/cloudfront-reference.md §15.1). Every public key is read (inline PEM or a file) and parsed
// with node:crypto here, at start: a key CloudFront would not take (not PEM, not a public key, not
// RSA 2048 or ECDSA P-256, or a legacy RSA key pair size) is a config problem naming the field, and
// the hot path only looks a key up by its ID.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrustedKey, TrustedKeyGroups } from '../../distribution/signed-urls.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';

/**
 * §15.1: CloudFront takes RSA 2048 and ECDSA P-256 public keys for key groups; legacy CloudFront key
 * pairs (trusted signers) were RSA 1024, 2048 or 4096 bits.
 */
const RSA_BITS: readonly number[] = [1024, 2048, 4096];

export type KeyGroupRefs = ReadonlyMap<string, TrustedKeyGroups>;

function keyProblem(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  if (type === 'rsa') {
    const bits = details?.modulusLength ?? 0;
    return RSA_BITS.includes(bits) ? undefined : `an RSA key of ${bits} bits; CloudFront takes RSA 2048 (or a legacy key pair's 1024 or 4096)`;
  }
  if (type === 'ec') return details?.namedCurve === 'prime256v1' ? undefined : `an EC key on ${details?.namedCurve ?? 'an unknown curve'}; CloudFront takes ECDSA P-256 (prime256v1)`;
  return `a ${type ?? 'unknown'} key; CloudFront takes RSA 2048 or ECDSA P-256`;
}

async function readKey(k: NonNullable<ParsedConfig['publicKeys']>[number], at: PathSegment[], baseDir: string, problems: Problems): Promise<KeyObject | undefined> {
  if ((k.encodedKey === undefined) === (k.file === undefined)) {
    problems.add(at, 'give the public key either inline as "encodedKey" (PEM) or as "file" (a PEM file), not both or neither');
    return undefined;
  }
  let pem: string;
  let field: PathSegment[];
  if (k.file !== undefined) {
    field = [...at, 'file'];
    const file = path.resolve(baseDir, k.file);
    try {
      pem = await readFile(file, 'utf8');
    } catch (e) {
      problems.add(field, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return undefined;
    }
  } else {
    field = [...at, 'encodedKey'];
    pem = k.encodedKey as string;
  }
  if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    problems.add(field, 'is a private key: CloudFront gets only the public key (openssl rsa -pubout -in private_key.pem -out public_key.pem)');
    return undefined;
  }
  if (!pem.includes('-----BEGIN PUBLIC KEY-----') && !pem.includes('-----BEGIN RSA PUBLIC KEY-----')) {
    problems.add(field, 'is not a PEM public key ("-----BEGIN PUBLIC KEY-----" … "-----END PUBLIC KEY-----")');
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    problems.add(field, `cannot be parsed as a PEM public key: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const bad = keyProblem(key);
  if (bad !== undefined) {
    problems.add(field, `is ${bad}`);
    return undefined;
  }
  return key;
}

/**
 * Every key group with its keys, by the key group's ID and by its name (behaviors may name either).
 * Problems are collected; a group with a bad key is left out, so the caller's throwIfAny stops the start.
 */
export async function resolveKeyGroups(data: ParsedConfig, baseDir: string, problems: Problems): Promise<KeyGroupRefs> {
  const keys = new Map<string, KeyObject>();
  const publicKeys = data.publicKeys ?? [];
  const parsed = await Promise.all(publicKeys.map((k, i) => readKey(k, ['publicKeys', i], baseDir, problems)));
  publicKeys.forEach((k, i) => {
    if (keys.has(k.id)) {
      problems.add(['publicKeys', i, 'id'], `duplicate public key id "${k.id}"`);
      return;
    }
    const key = parsed[i];
    if (key !== undefined) keys.set(k.id, key);
  });
  const known = new Set(publicKeys.map((k) => k.id));

  const groups = new Map<string, TrustedKeyGroups>();
  (data.keyGroups ?? []).forEach((g, i) => {
    const at: PathSegment[] = ['keyGroups', i];
    for (const ref of [g.id, g.name]) {
      if (ref !== undefined && groups.has(ref)) problems.add([...at, ref === g.id ? 'id' : 'name'], `duplicate key group id or name "${ref}"`);
    }
    const members = new Map<string, TrustedKey>();
    g.items.forEach((id, j) => {
      if (!known.has(id)) {
        const defined = publicKeys.length === 0 ? 'no publicKeys are defined' : `defined: ${publicKeys.map((k) => `"${k.id}"`).join(', ')}`;
        problems.add([...at, 'items', j], `unknown public key id "${id}" (${defined})`);
        return;
      }
      if (members.has(id)) {
        problems.add([...at, 'items', j], `public key "${id}" is listed twice`);
        return;
      }
      const key = keys.get(id);
      if (key !== undefined) members.set(id, { id, keyGroup: g.id, key });
    });
    const group: TrustedKeyGroups = { groups: [g.id], keys: members };
    groups.set(g.id, group);
    if (g.name !== undefined && g.name !== g.id) groups.set(g.name, group);
  });
  return groups;
}

/** A behavior's `trustedKeyGroups` (key group IDs or names) → the keys it trusts; undefined when it has none. */
export function resolveTrustedKeyGroupsRef(refs: readonly string[] | undefined, at: PathSegment[], groups: KeyGroupRefs, problems: Problems): TrustedKeyGroups | undefined {
  if (refs === undefined) return undefined;
  if (refs.length === 0) {
    problems.add(at, 'must list at least one key group (leave it out for a behavior that does not restrict viewer access)');
    return undefined;
  }
  const ids: string[] = [];
  const keys = new Map<string, TrustedKey>();
  refs.forEach((ref, i) => {
    const g = groups.get(ref);
    if (g === undefined) {
      const defined = groups.size === 0 ? 'no keyGroups are defined' : `defined: ${[...new Set([...groups.values()].map((v) => v.groups[0]))].map((n) => `"${n}"`).join(', ')}`;
      problems.add([...at, i], `unknown key group "${ref}" (${defined})`);
      return;
    }
    const id = g.groups[0] as string;
    if (ids.includes(id)) {
      problems.add([...at, i], `key group "${ref}" is listed twice`);
      return;
    }
    ids.push(id);
    for (const [kid, k] of g.keys) if (!keys.has(kid)) keys.set(kid, k);
  });
  return { groups: ids, keys: readOnly(keys) };
}

function refuse(): never {
  throw new TypeError('the resolved configuration is read-only');
}

/**
 * A Map whose mutators throw. Not deep-frozen like the rest of the config (freeze.ts): a KeyObject
 * keeps lazily filled internal fields that freezing would break.
 */
function readOnly<K, V>(m: Map<K, V>): ReadonlyMap<K, V> {
  Object.defineProperties(m, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return m;
}
