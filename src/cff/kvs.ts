// CloudFront KeyValueStore on the host side: the data file in CloudFront's import format, checked
// against the quotas, and the live store the functions read (and the admin listener changes).
// Import format (kvs-with-functions-create-s3-kvp.html, API ImportSource):
//   { "data": [ { "key": "k1", "value": "v1" }, … ] }
// Quotas (cloudfront-limits.html, KeyValueStore): key 512 bytes, value 1 KB, store 5 MB; no duplicate keys.

import { createHash } from 'node:crypto';
import { KVS_KEY_MAX_BYTES, KVS_STORE_MAX_BYTES, KVS_VALUE_MAX_BYTES } from './limits.js';
import type { KvsSnapshot } from '../runtime/cff-protocol.js';

export class KvsFileError extends Error {
  constructor(
    message: string,
    /** `data[3].key` and the like; undefined for the whole file. */
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'KvsFileError';
  }
}

interface KvsData {
  entries: Map<string, string>;
  /** Σ UTF-8 bytes of keys and values: what the 5 MB store quota counts. */
  bytes: number;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** One entry's checks, shared by the data file and the admin listener's PutKey. */
function checkEntry(key: unknown, value: unknown, where: string): { key: string; value: string } {
  if (typeof key !== 'string' || key.length === 0) throw new KvsFileError(`${where}.key must be a non-empty string, got ${describe(key)}`, `${where}.key`);
  if (typeof value !== 'string') throw new KvsFileError(`${where}.value (key ${JSON.stringify(key)}) must be a string — JSON and bytes are read with get(key, { format }) — got ${describe(value)}`, `${where}.value`);
  const kb = utf8(key);
  if (kb > KVS_KEY_MAX_BYTES) throw new KvsFileError(`${where}.key ${JSON.stringify(key.slice(0, 40))}… is ${kb} bytes; keys are limited to ${KVS_KEY_MAX_BYTES} bytes`, `${where}.key`);
  const vb = utf8(value);
  if (vb > KVS_VALUE_MAX_BYTES) throw new KvsFileError(`${where}.value (key ${JSON.stringify(key)}) is ${vb} bytes; values are limited to ${KVS_VALUE_MAX_BYTES} bytes (1 KB)`, `${where}.value`);
  return { key, value };
}

/** Parses and checks a data file's text; throws KvsFileError naming the entry at fault. */
export function parseKvsData(text: string): KvsData {
  const size = utf8(text);
  if (size > KVS_STORE_MAX_BYTES) throw new KvsFileError(`the file is ${size} bytes; a key value store is limited to 5 MB (${KVS_STORE_MAX_BYTES} bytes)`, undefined);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KvsFileError(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`, undefined);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new KvsFileError(`must be an object { "data": [ { "key", "value" }, … ] }, got ${describe(doc)}`, undefined);
  for (const k of Object.keys(doc)) if (k !== 'data') throw new KvsFileError(`unknown field ${JSON.stringify(k)}: the import format has only "data"`, k);
  const list = (doc as { data?: unknown }).data;
  if (!Array.isArray(list)) throw new KvsFileError(`"data" must be an array of { "key", "value" }, got ${list === undefined ? 'nothing' : describe(list)}`, 'data');
  const entries = new Map<string, string>();
  const firstAt = new Map<string, number>();
  let bytes = 0;
  for (let i = 0; i < list.length; i++) {
    const where = `data[${i}]`;
    const item: unknown = list[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new KvsFileError(`${where} must be an object { "key", "value" }, got ${describe(item)}`, where);
    for (const k of Object.keys(item)) if (k !== 'key' && k !== 'value') throw new KvsFileError(`${where}: unknown field ${JSON.stringify(k)} (an entry has "key" and "value")`, `${where}.${k}`);
    const { key, value } = checkEntry((item as { key?: unknown }).key, (item as { value?: unknown }).value, where);
    const dup = firstAt.get(key);
    if (dup !== undefined) throw new KvsFileError(`${where}: duplicate key ${JSON.stringify(key)} (first at data[${dup}]); CloudFront refuses an import with duplicate keys`, `${where}.key`);
    firstAt.set(key, i);
    entries.set(key, value);
    bytes += utf8(key) + utf8(value);
  }
  return { entries, bytes };
}

/** A store's id: a UUID derived from its name unless the config gives one (what `cf.kvs(id)` names). */
export function kvsIdFor(name: string): string {
  const h = createHash('sha1').update(`edgeproxy-kvs:${name}`).digest('hex');
  // RFC 9562 §5.5 layout (name-based, SHA-1): version 5, variant 10.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const ACCOUNT_ID = '123456789012';

export function kvsArn(id: string): string {
  return `arn:aws:cloudfront::${ACCOUNT_ID}:key-value-store/${id}`;
}

/**
 * One live store: the contents functions read, replaced whole on reload, changed key by key through
 * the admin listener (like the KVS data-plane API: every change needs the current ETag).
 */
export class KeyValueStore {
  readonly name: string;
  readonly id: string;
  readonly createdAt: Date;
  #data: KvsData;
  #updatedAt: Date;
  #version = 1;
  #snapshot: KvsSnapshot | undefined;

  constructor(name: string, id: string, data: KvsData, now: Date = new Date()) {
    this.name = name;
    this.id = id;
    this.#data = data;
    this.createdAt = now;
    this.#updatedAt = now;
  }

  get size(): number {
    return this.#data.entries.size;
  }
  get bytes(): number {
    return this.#data.bytes;
  }
  get lastUpdated(): Date {
    return this.#updatedAt;
  }
  /** Changes with every update, as the data plane's ETag does. */
  get etag(): string {
    return `"${this.id.slice(0, 8)}-${this.#version}"`;
  }

  get(key: string): string | undefined {
    return this.#data.entries.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#data.entries.keys();
  }

  /** The data file changed: the whole store is replaced. */
  replace(data: KvsData, now: Date = new Date()): void {
    this.#data = data;
    this.#touch(now);
  }

  /** PutKey / DeleteKey (all-or-nothing): checks quotas against the store as it would be. */
  update(puts: ReadonlyArray<{ key: string; value: string }>, deletes: readonly string[], now: Date = new Date()): void {
    const next = new Map(this.#data.entries);
    for (const d of deletes) next.delete(d);
    puts.forEach((p, i) => {
      const e = checkEntry(p.key, p.value, `Puts[${i}]`);
      next.set(e.key, e.value);
    });
    let bytes = 0;
    for (const [k, v] of next) bytes += utf8(k) + utf8(v);
    if (bytes > KVS_STORE_MAX_BYTES) throw new KvsFileError(`the store would hold ${bytes} bytes; a key value store is limited to 5 MB`, undefined);
    this.#data = { entries: next, bytes };
    this.#touch(now);
  }

  #touch(now: Date): void {
    this.#updatedAt = now;
    this.#version++;
    this.#snapshot = undefined;
  }

  /** What the workers get (built once per change). */
  snapshot(): KvsSnapshot {
    this.#snapshot ??= {
      id: this.id,
      entries: [...this.#data.entries],
      creationDateTime: this.createdAt.toISOString(),
      lastUpdatedDateTime: this.#updatedAt.toISOString(),
    };
    return this.#snapshot;
  }
}
