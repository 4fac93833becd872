// A CloudFront Function worker thread driven directly (the built worker from dist/, a real thread):
// load code, run events, read the envelopes it answers with.

import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach } from 'vitest';
import { checkCff } from '../../src/cff/check.js';
import type { CffRuntime } from '../../src/cff/limits.js';
import { decodeWorkerMessage, encodeInvoke, type WorkerToHost } from '../../src/runtime/protocol.js';
import { createRingBuffer, RingReader } from '../../src/runtime/ring.js';
import { encodeCffEvent, isCffEnvelope, type CffEnvelope, type KvsSnapshot, type KvsUpdateMessage } from '../../src/runtime/cff-protocol.js';

export const CFF_WORKER = fileURLToPath(new URL('../../dist/src/runtime/worker/cff/worker.js', import.meta.url));

export interface CffThread {
  /** 'ready', or the init-error the load produced. */
  loaded: Promise<WorkerToHost>;
  run(event: unknown, opts?: { eventType?: 'viewer-request' | 'viewer-response'; nowMs?: number; rawQuery?: string; timeoutMs?: number }): Promise<CffEnvelope>;
  setKvs(kvs: KvsSnapshot | null): void;
  worker: Worker;
}

const open: Worker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.terminate()));
});

/** Rejects when `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export function startCff(code: string, runtime: CffRuntime, opts: { kvs?: KvsSnapshot; file?: string; edgeLocation?: { name: string; serverIp: string; region: string } } = {}): CffThread {
  const checked = checkCff(code, runtime);
  if (checked.script === undefined) throw new Error(`the test's code does not parse: ${JSON.stringify(checked.findings)}`);
  const ring = createRingBuffer();
  const reader = new RingReader(ring);
  const cff: Record<string, unknown> = { runtime, script: checked.script };
  if (opts.kvs) cff['kvs'] = opts.kvs;
  if (opts.edgeLocation) cff['edgeLocation'] = opts.edgeLocation;
  const worker = new Worker(CFF_WORKER, {
    workerData: { file: opts.file ?? '/functions/test-fn.js', exportName: 'handler', handlerName: 'test-fn.handler', context: {}, ring, reportMemory: false, cff },
    stdout: true,
    stderr: true,
  });
  open.push(worker);
  let onLoaded: (m: WorkerToHost) => void = () => {};
  const loaded = new Promise<WorkerToHost>((r) => (onLoaded = r));
  const waiting = new Map<number, (e: CffEnvelope) => void>();
  worker.on('message', (m: unknown) => {
    reader.received(m);
    for (let text = reader.next(); text !== undefined; text = reader.next()) {
      const msg = decodeWorkerMessage(text);
      if (msg === undefined) continue;
      if (msg.t === 'ready' || msg.t === 'init-error') onLoaded(msg);
      else if (msg.t === 'done' && msg.ok) {
        const env: unknown = JSON.parse(msg.result);
        if (isCffEnvelope(env)) waiting.get(msg.id)?.(env);
      }
    }
  });
  let next = 1;
  return {
    loaded,
    worker,
    run(event, o = {}) {
      const id = next++;
      const p = new Promise<CffEnvelope>((r) => waiting.set(id, r));
      const ev = encodeCffEvent({ eventType: o.eventType ?? 'viewer-request', nowMs: o.nowMs ?? Date.UTC(2026, 0, 2, 3, 4, 5), rawQuery: o.rawQuery }, JSON.stringify(event));
      worker.postMessage(encodeInvoke(id, o.timeoutMs ?? 1000, `req-${id}`, ev));
      return within(p, 5000, `run ${id}`);
    },
    setKvs(kvs) {
      const m: KvsUpdateMessage = { t: 'kvs', kvs };
      worker.postMessage(m);
    },
  };
}

export const REQUEST_EVENT = {
  version: '1.0',
  context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'rid-1' },
  viewer: { ip: '203.0.113.45' },
  request: { method: 'GET', uri: '/index.html', querystring: { a: { value: '1' } }, headers: { host: { value: 'www.example.com' } }, cookies: {} },
};
