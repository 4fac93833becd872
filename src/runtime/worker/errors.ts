// Errors as Lambda's Node.js runtime shapes them (toRapidResponse in Errors.js): type, message, stack.
// Inside the worker thread: node builtins only.

import { types } from 'node:util';

export interface ErrorInfo {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

export function isErrorLike(e: unknown): e is Error {
  if (types.isNativeError(e)) return true;
  if (typeof e !== 'object' || e === null) return false;
  const o = e as { name?: unknown; message?: unknown; stack?: unknown };
  return typeof o.name === 'string' && typeof o.message === 'string' && typeof o.stack === 'string';
}

export function errorInfo(e: unknown): ErrorInfo {
  try {
    if (isErrorLike(e)) {
      const info: ErrorInfo = { errorType: String(e.name), errorMessage: String(e.message) };
      if (typeof e.stack === 'string') info.stack = e.stack;
      return info;
    }
    return { errorType: typeof e, errorMessage: String(e) };
  } catch {
    // A getter that throws, or an object whose toString throws.
    return { errorType: 'handled', errorMessage: 'the error could not be read (its name, message or toString threw)' };
  }
}

