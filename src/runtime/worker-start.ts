// Starting one worker thread for one build of a function: its script, its workerData (protocol.ts:
// WorkerInit), its Lambda environment and its heap limits.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResolvedFunction } from '../config/types.js';
import type { CodeRef } from './code-types.js';
import { handlerName, lambdaEnv, staticContext } from './identity.js';
import { heapLimits } from './memory.js';
import type { WorkerInit } from './protocol.js';
import { createRingBuffer, RingReader } from './ring.js';

/**
 * Where the worker entry is. Workers run built JavaScript (Node 20 cannot run .ts in a Worker): from
 * dist/ the file sits next to this one; from src/ (vitest transforms .ts) it is the built copy in dist/.
 */
export function resolveWorkerScript(moduleUrl: string = import.meta.url): string {
  if (moduleUrl.endsWith('.ts')) {
    const projectRoot = fileURLToPath(new URL('../../', moduleUrl));
    return path.join(projectRoot, 'dist', 'src', 'runtime', 'worker', 'worker.js');
  }
  return fileURLToPath(new URL('./worker/worker.js', moduleUrl));
}

/** The worker script, checked once when the runtime is created. */
export function workerScript(): string {
  const script = resolveWorkerScript();
  if (!existsSync(script)) {
    throw new Error(`edgeproxy: the function worker ${script} is missing; build first (npm run build, or npx tsc -p tsconfig.json)`);
  }
  return script;
}

/**
 * How invocations reach a worker (docs/benchmarks.md has the measurements): `message`, one string
 * message per worker per event-loop turn; `ring`, a shared-memory ring with a wake message only when
 * the worker has none pending; `park`, the ring, and a worker with nothing to run waits in
 * Atomics.wait for up to PARK_MS before it sleeps in its event loop (the proxy's thread never blocks).
 */
export type InvokeChannel = 'message' | 'ring' | 'park';
export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['message', 'ring', 'park'];
const PARK_MS = 1;
/**
 * The channel a runtime uses unless EDGEPROXY_INVOKE_CHANNEL says otherwise (pool.ts). `message`: under
 * load a ring wakes the worker more often than one message per turn does — the worker clears the
 * flag between two invocations of the same turn, and the next write posts again (docs/benchmarks.md).
 */
export const DEFAULT_INVOKE_CHANNEL: InvokeChannel = 'message';

/** A new thread loading `code`; what it sends comes through the returned ring's reader, invocations go through `inbox` when there is one. */
export function startWorker(
  script: string,
  fn: ResolvedFunction,
  code: CodeRef,
  reportMemory: boolean,
  channel: InvokeChannel = 'message',
): { worker: Worker; ring: RingReader; inbox?: SharedArrayBuffer } {
  const context = staticContext(fn, code.version);
  const ring = createRingBuffer();
  const data: WorkerInit = { file: code.file, exportName: code.exportName, handlerName: handlerName(fn, code), context, ring, reportMemory };
  let inbox: SharedArrayBuffer | undefined;
  if (channel !== 'message') {
    inbox = createRingBuffer();
    data.inbox = inbox;
    data.parkMs = channel === 'park' ? PARK_MS : 0;
  }
  const worker = new Worker(script, {
    workerData: data,
    env: lambdaEnv(fn, code, context),
    stdout: true,
    stderr: true,
    resourceLimits: heapLimits(fn.memorySize),
    name: `edgeproxy:${fn.id}:${code.version}`,
  });
  return inbox === undefined ? { worker, ring: new RingReader(ring) } : { worker, ring: new RingReader(ring), inbox };
}
