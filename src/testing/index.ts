// edgeproxy/testing: build the events the proxy builds, run functions the way it runs them, and start a
// distribution for end-to-end tests (docs/testing.md). Quiet by default; workers stay warm between calls
// on the same file until closeWorkers() (or `await using` an Invoker).

import { Invoker, type InvokerOptions } from './invoke.js';
import type { EventType } from '../event/types.js';
import type { InvokeOptions, InvokeResult } from './types.js';

export { buildEvent } from './event.js';
export { Invoker, type InvokerOptions } from './invoke.js';
export { formatDiff } from './diff.js';
export type * from './types.js';

let shared: Invoker | undefined;

/**
 * Runs `file`'s handler once for `trigger` in a worker thread, as the proxy does, and returns the
 * result, what changed, CloudFront's verdict and the logs. Workers are shared by every call in this
 * process (warm after the first call on a file) until closeWorkers().
 */
export function invoke<T extends EventType>(options: InvokeOptions<T>): Promise<InvokeResult<T>> {
  shared ??= new Invoker();
  return shared.invoke(options);
}

/** Ends the workers invoke() started (call it in afterAll). The next invoke() starts afresh. */
export async function closeWorkers(): Promise<void> {
  const s = shared;
  shared = undefined;
  await s?.close();
}

/** An invoker of its own (its own workers and options), for `await using` or a suite's beforeAll/afterAll. */
export function createInvoker(options: InvokerOptions = {}): Invoker {
  return new Invoker(options);
}

export { startEdgeProxy, type EdgeResponse, type ExchangeRecord, type InspectorExchange, type RanFunction, type TestProxy, type TestProxyOptions } from './proxy.js';
