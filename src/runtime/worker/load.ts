// Loading the function's module in the worker (docs/cloudfront-reference.md §2.1: CommonJS and ES
// modules, via import()), and Lambda's messages when it fails (UserFunction.js wording).
// Inside the worker thread: node builtins and the protocol only.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { ERROR_TYPES, type InitErrorMessage, type WorkerInit, type WorkerToHost } from '../protocol.js';
import { errorInfo, isErrorLike } from './errors.js';

export type Callback = (err?: unknown, result?: unknown) => void;
export type Handler = (event: unknown, context: unknown, callback: Callback) => unknown;

/** This module's path: Node's "imported from" in a failed import names it, which would only confuse the user. */
const SELF = fileURLToPath(import.meta.url);

function exportNames(mod: Record<string, unknown>): string[] {
  const own = Object.keys(mod);
  const def = mod['default'];
  // import() of CommonJS gives { default: module.exports, ...names Node detected }: list module.exports.
  if (typeof def === 'object' && def !== null && !Array.isArray(def)) {
    const inner = Object.keys(def);
    if (own.every((k) => k === 'default' || inner.includes(k))) return inner;
  }
  return own;
}

/** `path:line` from a V8 syntax-error stack (CommonJS puts it on the first line). */
function syntaxLocation(e: unknown): string | undefined {
  if (!isErrorLike(e) || typeof e.stack !== 'string') return undefined;
  const first = e.stack.split('\n', 1)[0] ?? '';
  const m = /^(file:\/\/\S+|\/\S+|[A-Za-z]:\\\S+):(\d+)$/.exec(first);
  if (!m || m[1] === undefined) return undefined;
  const file = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
  return `${file}:${m[2]}`;
}

function loadError(e: unknown): InitErrorMessage {
  const info = errorInfo(e);
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  // Our own path in Node's "imported from" would only confuse the user.
  const text = `${info.errorType}: ${info.errorMessage.replace(` imported from ${SELF}`, '')}`;
  if (info.errorType === 'SyntaxError') {
    const m: InitErrorMessage = { t: 'init-error', errorType: ERROR_TYPES.syntax, errorMessage: text };
    const location = syntaxLocation(e);
    if (location !== undefined) m.location = location;
    return m;
  }
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return { t: 'init-error', errorType: ERROR_TYPES.importModule, errorMessage: text };
  }
  // Anything the module's top level threw is reported as itself, as Lambda does.
  return { t: 'init-error', errorType: info.errorType, errorMessage: info.errorMessage };
}

/** Imports the module and finds the handler; says `ready` or `init-error` through `send`. */
export async function load(init: WorkerInit, send: (m: WorkerToHost) => void): Promise<Handler | undefined> {
  const started = performance.now();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(init.file).href)) as Record<string, unknown>;
  } catch (e) {
    send(loadError(e));
    return undefined;
  }
  let found = mod[init.exportName];
  if (found === undefined) {
    const def = mod['default'];
    if (typeof def === 'object' && def !== null) found = (def as Record<string, unknown>)[init.exportName];
  }
  if (typeof found !== 'function') {
    const m: InitErrorMessage = {
      t: 'init-error',
      errorType: ERROR_TYPES.handlerNotFound,
      // UserFunction.js wording.
      errorMessage: found === undefined ? `${init.handlerName} is undefined or not exported` : `${init.handlerName} is not a function`,
      exports: exportNames(mod),
    };
    if (found !== undefined) m.exportType = found === null ? 'null' : typeof found;
    send(m);
    return undefined;
  }
  send({ t: 'ready', initMs: performance.now() - started });
  return found as Handler;
}
