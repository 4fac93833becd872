// Why a function cannot run, in one line for the operator at start: the file is missing, is not a file,
// needs the code registry, or its module failed to load (syntax error with its line, import failure,
// missing or wrong export, init timeout). Only runs at start or on the failure path, never per request.

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedFunction } from '../config/types.js';
import { ERROR_TYPES, type InitErrorMessage } from './protocol.js';
import { INIT_TIMEOUT_MS } from './slot.js';

/** The file as the user wrote it in the config: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** `functions[<id>]: <file as configured>`, or `--viewer-request: <file>` in flags mode: how every message starts. */
export function functionWhere(fn: ResolvedFunction): string {
  const fromFlag = fn.configPath?.startsWith('--') === true;
  return `${fromFlag ? fn.configPath : `functions[${fn.id}]`}: ${displayPath(fn.file)}`;
}

/**
 * What makes loading pointless: the file does not exist or is not a file, or it is TypeScript and no
 * code registry compiled it (`compiled` false). A message, or undefined when it is worth loading.
 */
export async function fileProblem(fn: ResolvedFunction, compiled: boolean): Promise<string | undefined> {
  const where = functionWhere(fn);
  let isFile = false;
  try {
    isFile = (await stat(fn.file)).isFile();
  } catch {
    return `${where} does not exist`;
  }
  if (!isFile) return `${where} is not a file`;
  if (!compiled && /\.[cm]?ts$/.test(fn.file)) {
    return `${where}: TypeScript functions need the code registry (src/runtime/code.ts); point to a .js/.mjs/.cjs file`;
  }
  return undefined;
}

/** One line for the operator: what failed, in which file, and where (docs/errors.md: ConfigError). */
export async function describeLoadFailure(fn: ResolvedFunction, m: InitErrorMessage): Promise<string> {
  const where = functionWhere(fn);
  if (m.errorType === ERROR_TYPES.handlerNotFound) {
    const list = m.exports === undefined || m.exports.length === 0 ? 'none' : m.exports.join(', ');
    if (m.exportType !== undefined) return `${where}: export "${fn.exportName}" is a ${m.exportType}, not a function (exports: ${list})`;
    return `${where} has no export "${fn.exportName}" (exports: ${list})`;
  }
  if (m.errorType === ERROR_TYPES.syntax) {
    const location = m.location ?? (await syntaxLocationByNodeCheck(fn.file));
    const at = location === undefined ? '' : ` (${displayLocation(location)})`;
    return `${where} failed to load: ${m.errorMessage}${at}`;
  }
  if (m.errorType === ERROR_TYPES.importModule) return `${where} failed to load: ${m.errorMessage}`;
  if (m.errorType === ERROR_TYPES.timeout) return `${where} did not finish loading within ${INIT_TIMEOUT_MS / 1000} s`;
  return `${where} failed to load: ${m.errorType}: ${m.errorMessage}`;
}

function displayLocation(location: string): string {
  const i = location.lastIndexOf(':');
  return i < 0 ? location : `${displayPath(location.slice(0, i))}${location.slice(i)}`;
}

/** Node 20 gives an ES module's SyntaxError no position, but `node --check` prints `file:line` first. */
function syntaxLocationByNodeCheck(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 5_000, encoding: 'utf8' }, (_err, _stdout, stderr) => {
      const m = /^(.+):(\d+)$/.exec(stderr.split('\n', 1)[0] ?? '');
      if (m?.[1] === undefined || m[2] === undefined) return resolve(undefined);
      const where = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
      resolve(`${where}:${m[2]}`);
    });
  });
}
