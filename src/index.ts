// Public API: start a distribution in front of its origins, and the types and tools around it.

import type { EdgeProxy, StartOptions } from './proxy.js';
import { startProxy } from './proxy.js';

export { loadConfig } from './config/load.js';
export { defineConfig } from './config/define.js';
export { EdgeError } from './errors.js';
export { ConfigError } from './config/errors.js';
export { testFunction, type TestFunctionOptions, type TestFunctionOutput } from './cff/test-function.js';
export { checkCff, type CheckResult, type Finding } from './cff/check.js';
export type { ResolvedConfig } from './config/types.js';
export type * from './event/types.js';
export type { EdgeProxy, StartOptions } from './proxy.js';

/**
 * Starts the distribution `config` describes (from loadConfig): listens, and resolves once every
 * function has loaded. Only the documented options are passed on.
 */
export async function startEdgeProxy(opts: StartOptions): Promise<EdgeProxy> {
  const { config, log, stateDir, watch, noteUnversioned } = opts;
  const p = await startProxy({ config, log, stateDir, watch, noteUnversioned });
  // The handle carries the documented fields only: the cache, metrics and Lambda API state are internal.
  return { url: p.url, https: p.https, adminUrl: p.adminUrl, lambdaUrl: p.lambdaUrl, config: p.config, close: (graceMs?: number) => p.close(graceMs) };
}
