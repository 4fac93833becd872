// The admin listener's key value store routes, shaped like CloudFront KeyValueStore's data-plane API
// (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations_Amazon_CloudFront_KeyValueStore.html):
// DescribeKeyValueStore, ListKeys, GetKey and UpdateKeys, where every change needs the store's
// current ETag in If-Match (docs/cloudfront-reference.md §27.3). Changes live in memory and reach the
// functions' workers at once; an edit of the data file replaces them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { kvsArn, KvsFileError, type KeyValueStore } from '../cff/kvs.js';
import { AdminError } from './errors.js';
import { isRecord, parseJsonBody, readBody, sendJson, typeName } from './http.js';

/** What the routes need of the CloudFront Functions host. */
export interface KvsAccess {
  stores(): ReadonlyMap<string, KeyValueStore>;
  /** Sends a changed store to the workers of the functions that read it. */
  storeChanged(name: string): void;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
}

const UPDATE_EXAMPLE = '{"Puts": [{"Key": "k", "Value": "v"}], "Deletes": [{"Key": "old"}]}';
/** UpdateKeys: at most 50 keys per request (the data-plane API's limit). */
const MAX_KEYS_PER_UPDATE = 50;

function describe(s: KeyValueStore): Record<string, unknown> {
  return { Name: s.name, Id: s.id, KvsARN: kvsArn(s.id), ETag: s.etag, ItemCount: s.size, TotalSizeInBytes: s.bytes, Created: s.createdAt.toISOString(), LastModified: s.lastUpdated.toISOString() };
}

export function kvsHandlers(access: KvsAccess | undefined, log: { info(m: string): void }) {
  const store = (name: string): KeyValueStore => {
    const stores = access?.stores();
    const s = stores?.get(name);
    if (s === undefined) {
      const known = stores === undefined || stores.size === 0 ? 'none is configured' : `configured: ${[...stores.keys()].map((n) => JSON.stringify(n)).join(', ')}`;
      throw new AdminError('NotFound', `no key value store ${JSON.stringify(name)} (${known})`, 'name');
    }
    return s;
  };

  return {
    list({ res }: Ctx): void {
      sendJson(res, 200, { KeyValueStores: [...(access?.stores().values() ?? [])].map(describe) });
    },
    describeStore({ res, params }: Ctx): void {
      const s = store(params[0] ?? '');
      sendJson(res, 200, describe(s), { etag: s.etag });
    },
    listKeys({ res, params, query }: Ctx): void {
      const s = store(params[0] ?? '');
      const maxRaw = query.get('MaxResults');
      const max = maxRaw === null ? 10 : Number(maxRaw);
      if (!Number.isInteger(max) || max < 1 || max > 50) throw new AdminError('InvalidArgument', `MaxResults: expected an integer 1-50, got ${JSON.stringify(maxRaw)}`, 'MaxResults');
      const keys = [...s.keys()].sort();
      const token = query.get('NextToken');
      const from = token === null ? 0 : keys.findIndex((k) => k > token);
      const page = from < 0 ? [] : keys.slice(from, from + max);
      const body: Record<string, unknown> = { Items: page.map((k) => ({ Key: k, Value: s.get(k) })) };
      if (from >= 0 && from + max < keys.length) body['NextToken'] = page[page.length - 1];
      sendJson(res, 200, body);
    },
    getKey({ res, params }: Ctx): void {
      const s = store(params[0] ?? '');
      const key = params[1] ?? '';
      const value = s.get(key);
      if (value === undefined) throw new AdminError('NotFound', `no key ${JSON.stringify(key)} in key value store ${JSON.stringify(s.name)}`, 'key');
      sendJson(res, 200, { Key: key, Value: value, ItemCount: s.size, TotalSizeInBytes: s.bytes });
    },
    async updateKeys({ req, res, params }: Ctx): Promise<void> {
      const s = store(params[0] ?? '');
      const body = parseJsonBody(await readBody(req), UPDATE_EXAMPLE);
      const ifMatch = req.headers['if-match'];
      if (ifMatch === undefined) throw new AdminError('InvalidArgument', `If-Match: required: the store's current ETag (GET /key-value-stores/${s.name} gives it, ${s.etag})`, 'If-Match');
      if (ifMatch !== s.etag) throw new AdminError('Conflict', `If-Match ${ifMatch} is not the current ETag ${s.etag}: the store changed; read it again`, 'If-Match');
      if (!isRecord(body)) throw new AdminError('InvalidArgument', `expected ${UPDATE_EXAMPLE}, got ${typeName(body)}`);
      for (const k of Object.keys(body)) if (k !== 'Puts' && k !== 'Deletes') throw new AdminError('InvalidArgument', `unknown field ${JSON.stringify(k)} (Puts, Deletes)`, k);
      const puts = body['Puts'] ?? [];
      const deletes = body['Deletes'] ?? [];
      if (!Array.isArray(puts) || !Array.isArray(deletes)) throw new AdminError('InvalidArgument', `Puts and Deletes must be arrays: ${UPDATE_EXAMPLE}`);
      if (puts.length + deletes.length > MAX_KEYS_PER_UPDATE) throw new AdminError('InvalidArgument', `at most ${MAX_KEYS_PER_UPDATE} keys per request, got ${puts.length + deletes.length}`);
      const putList = puts.map((p: unknown, i) => {
        if (!isRecord(p)) throw new AdminError('InvalidArgument', `Puts[${i}] must be {"Key", "Value"}, got ${typeName(p)}`, `Puts[${i}]`);
        return { key: p['Key'] as string, value: p['Value'] as string };
      });
      const deleteList = deletes.map((d: unknown, i) => {
        if (!isRecord(d) || typeof d['Key'] !== 'string') throw new AdminError('InvalidArgument', `Deletes[${i}] must be {"Key"}, got ${typeName(d)}`, `Deletes[${i}]`);
        return d['Key'];
      });
      try {
        s.update(putList, deleteList);
      } catch (e) {
        if (e instanceof KvsFileError) throw new AdminError('InvalidArgument', e.message, e.field);
        throw e;
      }
      access?.storeChanged(s.name);
      log.info(`admin: key value store ${s.name}: ${putList.length} put, ${deleteList.length} deleted`);
      sendJson(res, 200, { ETag: s.etag, ItemCount: s.size, TotalSizeInBytes: s.bytes }, { etag: s.etag });
    },
  };
}
