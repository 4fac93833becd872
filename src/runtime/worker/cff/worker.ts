// The entry of a CloudFront Function worker thread: one function in its sandbox (sandbox.ts), one run
// at a time, speaking the function-worker protocol (../protocol.ts) so the pool treats it like any
// other worker. A run's outcome — result or execution error, logs, origin changes — goes back as a
// CffEnvelope in a successful `done`. A run that never ends is stopped by the pool's timeout, which
// ends this worker; nothing else of the proxy waits for it.
// Imports nothing from the proxy: node builtins, the thread-boundary modules (protocol, ring,
// cff-protocol) and this folder only.

import { parentPort, workerData } from 'node:worker_threads';
import { decodeInvokes, encodeDoneOk, encodeWorkerMessage, type InitErrorMessage, type WorkerToHost } from '../../protocol.js';
import { RingWriter } from '../../ring.js';
import { decodeCffEvent, isCffWorkerInit, isKvsUpdate, type KvsSnapshot } from '../../cff-protocol.js';
import { CffLoadError, CffSandbox, type KvsView } from './sandbox.js';

if (parentPort === null) throw new Error('edgeproxy: cff worker.js must run inside a worker thread');
const data = workerData as { file?: unknown; ring?: unknown; cff?: unknown };
if (typeof data !== 'object' || data === null || typeof data.file !== 'string' || !(data.ring instanceof SharedArrayBuffer) || !isCffWorkerInit(data.cff)) {
  throw new Error('edgeproxy: cff worker.js started without a valid WorkerInit (file, ring, cff) as workerData');
}
const port = parentPort;
const file = data.file;
const init = data.cff;
const ring = new RingWriter(data.ring, (m) => port.postMessage(m));

function send(m: WorkerToHost): void {
  ring.write(encodeWorkerMessage(m));
}

function kvsView(s: KvsSnapshot | undefined | null): KvsView | undefined {
  if (s === undefined || s === null) return undefined;
  return { id: s.id, entries: new Map(s.entries), creationDateTime: s.creationDateTime, lastUpdatedDateTime: s.lastUpdatedDateTime };
}

let sandbox: CffSandbox | undefined;
const started = performance.now();
try {
  const opts: ConstructorParameters<typeof CffSandbox>[0] = { runtime: init.runtime, script: init.script, filename: file };
  const kvs = kvsView(init.kvs);
  if (kvs !== undefined) opts.kvs = kvs;
  if (init.edgeLocation !== undefined) opts.edgeLocation = init.edgeLocation;
  sandbox = new CffSandbox(opts);
  send({ t: 'ready', initMs: performance.now() - started });
} catch (e) {
  const err = e instanceof CffLoadError ? e : new CffLoadError('Error', e instanceof Error ? e.message : String(e), '');
  // The first frame of the stack names the function's line (`file:line:col`).
  const at = /\((.+:\d+:\d+)\)$|at (.+:\d+:\d+)$/m.exec(err.stack_);
  const m: InitErrorMessage = { t: 'init-error', errorType: err.errorType, errorMessage: err.message };
  const location = at?.[1] ?? at?.[2];
  if (location !== undefined) m.location = location;
  send(m);
}

port.on('message', (raw: unknown) => {
  if (isKvsUpdate(raw)) {
    sandbox?.setKvs(kvsView(raw.kvs));
    return;
  }
  if (typeof raw !== 'string' || sandbox === undefined) return;
  const items = decodeInvokes(raw);
  if (items === undefined) return;
  for (const inv of items) {
    const ev = decodeCffEvent(inv.event);
    if (ev === undefined) {
      send({ t: 'done', id: inv.id, ok: false, mem: 0, errorType: 'Edgeproxy.BadInvoke', errorMessage: 'the invocation is not a CloudFront Functions event' });
      continue;
    }
    const out = sandbox.run({ eventType: ev.eventType, eventJson: ev.eventJson, rawQuery: ev.rawQuery, nowMs: ev.nowMs });
    const facts = `"ms":${out.runMs},"logs":${JSON.stringify(out.logs)},"logsTruncated":${out.logsTruncated},"origin":${JSON.stringify(out.originCalls)},"kvsReads":${out.kvsReads}`;
    const envelope = out.ok
      ? `{"ok":true,"result":${out.resultJson},${facts}}`
      : `{"ok":false,"errorType":${JSON.stringify(out.errorType)},"errorMessage":${JSON.stringify(out.errorMessage)},"stack":${JSON.stringify(out.stack)},${facts}}`;
    ring.write(encodeDoneOk(inv.id, 0, envelope));
  }
});
