// Does an edited module still load? Hot reload asks before switching $LATEST to it (docs/versions.md):
// the module is imported in a throwaway worker thread, exactly as a function worker would import it
// (so top-level throws, missing imports and a missing export are caught), and the worker is ended.

import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

type VerifyResult = { ok: true } | { ok: false; message: string };

interface VerifyOptions {
  exportName: string;
  /** Module loading is bounded like Lambda's init phase. */
  timeoutMs: number;
  memorySize: number;
  env: Record<string, string>;
}

// Runs as a CommonJS eval script in the worker; builtins only. Source maps on, so a top-level throw
// in a compiled .ts is reported at the user's own line.
const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
process.setSourceMapsEnabled(true);
const frame = (e) => {
  const lines = typeof e?.stack === 'string' ? e.stack.split('\\n') : [];
  for (const l of lines) {
    const m = /\\(?((?:file:\\/\\/)?\\/[^()]+:\\d+):\\d+\\)?$/.exec(l.trim());
    if (m && !m[1].startsWith('node:')) return m[1].replace(/^file:\\/\\//, '');
  }
  return undefined;
};
const describe = (e) => {
  const head = e instanceof Error || (e && typeof e.message === 'string') ? (e.name || 'Error') + ': ' + e.message : 'thrown: ' + String(e);
  const at = frame(e);
  return at === undefined ? head : head + ' (at ' + at + ')';
};
process.on('uncaughtException', (e) => { parentPort.postMessage({ ok: false, message: describe(e) }); });
process.on('unhandledRejection', (e) => { parentPort.postMessage({ ok: false, message: 'unhandled rejection while loading: ' + describe(e) }); });
import(workerData.url).then((mod) => {
  const name = workerData.exportName;
  let found = mod[name];
  if (found === undefined && mod.default !== null && typeof mod.default === 'object') found = mod.default[name];
  if (typeof found === 'function') parentPort.postMessage({ ok: true });
  else parentPort.postMessage({ ok: false, message: found === undefined ? 'has no export "' + name + '"' : 'export "' + name + '" is a ' + (found === null ? 'null' : typeof found) + ', not a function' });
}, (e) => parentPort.postMessage({ ok: false, message: describe(e) }));
`;

function isResult(v: unknown): v is VerifyResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as { ok?: unknown; message?: unknown };
  return r.ok === true || (r.ok === false && typeof r.message === 'string');
}

/** Never rejects. `stop` ends the check early (close()). */
export function verifyLoads(file: string, opts: VerifyOptions): { result: Promise<VerifyResult>; stop: () => void } {
  let worker: Worker;
  try {
    worker = new Worker(SCRIPT, {
      eval: true,
      workerData: { url: pathToFileURL(file).href, exportName: opts.exportName },
      env: opts.env,
      // The module's console output is not the proxy's to print: a real worker prints it per invocation.
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: opts.memorySize },
      name: 'edgeproxy:reload-check',
    });
  } catch (e) {
    return { result: Promise.resolve({ ok: false, message: e instanceof Error ? e.message : String(e) }), stop: () => {} };
  }
  worker.stdout.resume();
  worker.stderr.resume();
  let settle: (r: VerifyResult) => void = () => {};
  const result = new Promise<VerifyResult>((resolve) => {
    let done = false;
    settle = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.terminate().catch(() => {});
      resolve(r);
    };
    const timer = setTimeout(() => settle({ ok: false, message: `did not finish loading within ${opts.timeoutMs / 1000} s` }), opts.timeoutMs);
    worker.on('message', (m: unknown) => settle(isResult(m) ? m : { ok: false, message: 'the load check sent an unexpected message' }));
    worker.on('error', (e: unknown) => {
      const oom = typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      settle({ ok: false, message: oom ? `ran out of memory while loading (memorySize ${opts.memorySize} MB)` : e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    });
    worker.on('exit', (code) => settle({ ok: false, message: `exited with status ${code} while loading` }));
  });
  return { result, stop: () => settle({ ok: false, message: 'the load check was stopped' }) };
}
