// Child entry that runs edgeproxy for one scenario: loadConfig + startEdgeProxy, then reports its URL.
// While src/index.ts (startEdgeProxy) or src/config/load.ts do not exist yet, it reports
// `unavailable` with the reason instead of crashing, and the driver prints n/a for the scenario.
// Usage: node dist/bench/servers/edgeproxy.js <spec.json>   spec: { "config": <config input>, "baseDir": "<dir>" }

import { readFileSync } from 'node:fs';
import type { ResolvedConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import { dieWithParent, exitOnSignal, isMain, report } from './common.js';

type LoadConfig = (src: { object: unknown; baseDir: string }) => Promise<ResolvedConfig>;
type StartEdgeProxy = (o: { config: ResolvedConfig; log?: Logger }) => Promise<{ url: string; close(): Promise<void> }>;

class Unavailable extends Error {}

/** Imports `rel` (relative to this file) and returns its export `name` if it is a function. */
async function importFunction(rel: string, name: string): Promise<unknown> {
  let mod: unknown;
  try {
    mod = await import(new URL(rel, import.meta.url).href);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
    if (code === 'ERR_MODULE_NOT_FOUND') throw new Unavailable(`${rel.replace(/^(\.\.\/)+/, '')} is not built yet`);
    throw new Unavailable(`${rel.replace(/^(\.\.\/)+/, '')} failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fn = typeof mod === 'object' && mod !== null && name in mod ? (mod as Record<string, unknown>)[name] : undefined;
  if (typeof fn !== 'function') throw new Unavailable(`${rel.replace(/^(\.\.\/)+/, '')} does not export ${name}() yet`);
  return fn;
}

/** Access-log style info lines would add stdout writes to every measured request; warnings still show. */
const benchLogger: Logger = {
  quietInfo: process.env.BENCH_EDGE_LOG !== '1',
  info: process.env.BENCH_EDGE_LOG === '1' ? (m) => process.stdout.write(`${m}\n`) : () => {},
  warn: (m) => process.stderr.write(`${m}\n`),
  error: (m) => process.stderr.write(`${m}\n`),
};

async function main(specFile: string): Promise<void> {
  const raw: unknown = JSON.parse(readFileSync(specFile, 'utf8'));
  if (typeof raw !== 'object' || raw === null || !('config' in raw) || !('baseDir' in raw) || typeof raw.baseDir !== 'string') {
    throw new Error(`${specFile}: expected { config, baseDir }`);
  }
  // The signatures are the ones the lead published; only their presence can be checked at run time.
  const loadConfig = (await importFunction('../../src/config/load.js', 'loadConfig')) as LoadConfig;
  const startEdgeProxy = (await importFunction('../../src/index.js', 'startEdgeProxy')) as StartEdgeProxy;
  let config: ResolvedConfig;
  try {
    config = await loadConfig({ object: raw.config, baseDir: raw.baseDir });
  } catch (e) {
    throw new Error(`loadConfig rejected the bench config: ${e instanceof Error ? e.message : String(e)}`);
  }
  const proxy = await startEdgeProxy({ config, log: benchLogger });
  exitOnSignal(() => proxy.close());
  await report({ type: 'ready', url: proxy.url });
}

if (isMain(import.meta.url)) {
  dieWithParent();
  const specFile = process.argv[2];
  try {
    if (!specFile) throw new Error('usage: edgeproxy.js <spec.json>');
    await main(specFile);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    await report(e instanceof Unavailable ? { type: 'unavailable', reason } : { type: 'failed', reason: `edgeproxy: ${reason}` });
    process.exit(e instanceof Unavailable ? 0 : 1);
  }
}
