// Plumbing of the admin listener: JSON answers, bounded request bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminError } from './errors.js';
import { describeJsonError } from './json-error.js';

/** Request bodies above this are refused with 413 (a 3,000-path invalidation fits with room to spare). */
const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, e: AdminError): void {
  const error: { code: string; message: string; field?: string } = { code: e.code, message: e.message };
  if (e.field !== undefined) error.field = e.field;
  sendJson(res, e.status, { error }, { ...e.headers });
}

/**
 * The request body as text, at most `limit` bytes. Over the limit → AdminError 413 without reading
 * the rest (the caller closes the connection, so the unread bytes are never parsed as a request).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(declared, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}

function tooLarge(size: number, limit: number): AdminError {
  return new AdminError('RequestTooLarge', `request body is ${size} bytes or more; the limit is ${limit} bytes`);
}

/** Parses a JSON body; an empty or invalid body is a 400 naming where it went wrong. */
export function parseJsonBody(text: string, example: string): unknown {
  if (text.trim() === '') throw new AdminError('MissingBody', `request body is empty; expected JSON like ${example}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError('InvalidJson', describeJsonError(text));
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON type name for error messages: `null`, `array`, `string`, … */
export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
