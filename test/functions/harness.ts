// Test support for the example functions: load them the way Node loads a deployed CommonJS
// `index.js`, invoke them in either handler style (docs/cloudfront-reference.md §2.1), and build events shaped like
// docs/cloudfront-reference.md §1.7. Not a test file itself.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfEvent, CfHeaders, CfRequest, CfResponse, EventType } from '../../src/event/types.js';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

type Handler = (event: unknown, context: unknown, callback: (err: unknown, result?: unknown) => void) => unknown;

// Node's own require, not vitest's transform: functions/package.json makes these files CommonJS.
const nodeRequire = createRequire(import.meta.url);

export function loadHandler(file: string): Handler {
  const mod: unknown = nodeRequire(join(FUNCTIONS_DIR, file));
  if (typeof mod !== 'object' || mod === null || !('handler' in mod) || typeof mod.handler !== 'function') {
    throw new Error(`${file} does not export a handler function`);
  }
  return mod.handler as Handler;
}

/**
 * Runs a handler like the runtime: the result is whatever the callback receives or the promise
 * resolves to, and it crosses a JSON boundary (as it does between worker and proxy). Bounded.
 */
export function invoke(handler: Handler, event: CfEvent, timeoutMs = 2000): Promise<unknown> {
  // The function gets its own copy, so the caller's event stays the "before" for comparisons.
  const input: unknown = JSON.parse(JSON.stringify(event));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`handler did not finish within ${timeoutMs} ms`)), timeoutMs);
    const done = (err: unknown, result?: unknown): void => {
      clearTimeout(timer);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(result === undefined ? null : JSON.parse(JSON.stringify(result)));
    };
    const context = { functionName: 'us-east-1.example', getRemainingTimeInMillis: () => timeoutMs };
    try {
      const returned = handler(input, context, done);
      if (returned instanceof Promise) returned.then((r: unknown) => done(null, r), (e: unknown) => done(e));
    } catch (e) {
      done(e);
    }
  });
}

/** Read-only headers per event type (docs/cloudfront-reference.md §3.2, Lambda@Edge). */
export const READ_ONLY: Readonly<Record<EventType, readonly string[]>> = {
  'viewer-request': ['cdn-loop', 'content-length', 'host', 'transfer-encoding', 'via'],
  'origin-request': [
    'accept-encoding', 'cdn-loop', 'content-length', 'if-modified-since', 'if-none-match', 'if-range',
    'if-unmodified-since', 'transfer-encoding', 'via',
  ],
  'origin-response': ['transfer-encoding', 'via'],
  'viewer-response': ['warning', 'via', 'content-length', 'content-encoding', 'transfer-encoding'],
};

/** Each read-only header of `eventType`, as it was before and after (both absent is equal). */
export function readOnlyPairs(eventType: EventType, before: CfHeaders, after: CfHeaders): [string, unknown, unknown][] {
  return READ_ONLY[eventType].map((name) => [name, before[name], after[name]]);
}

export function h(key: string, value: string): CfHeaders {
  return { [key.toLowerCase()]: [{ key, value }] };
}

const CONFIG = {
  distributionDomainName: 'd123example.cloudfront.net',
  distributionId: 'E2EXAMPLE1',
  requestId: 'Q1x9r0vLbYkz7mTn2oPc4aHdE6fGi8jKs3uVw5yXz_AbCdEfGhIjKl==',
};

const VIA = '1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)';

export function viewerRequest(uri: string, opts: { querystring?: string; headers?: CfHeaders; method?: string } = {}): CfEvent {
  const request: CfRequest = {
    clientIp: '198.51.100.23',
    method: opts.method ?? 'GET',
    uri,
    querystring: opts.querystring ?? '',
    headers: {
      ...h('Host', '127.0.0.1:8080'),
      ...h('User-Agent', 'curl/8.5.0'),
      ...h('Accept', '*/*'),
      ...opts.headers,
    },
  };
  return { Records: [{ cf: { config: { ...CONFIG, eventType: 'viewer-request' }, request } }] };
}

function originSideRequest(uri: string, headers: CfHeaders = {}): CfRequest {
  return {
    clientIp: '198.51.100.23',
    method: 'GET',
    uri,
    querystring: '',
    headers: {
      ...h('Host', '127.0.0.1:3000'),
      ...h('User-Agent', 'Amazon CloudFront'),
      ...h('X-Forwarded-For', '198.51.100.23'),
      ...h('Via', VIA),
      ...h('Accept-Encoding', 'gzip'),
      ...headers,
    },
    origin: {
      custom: {
        customHeaders: {},
        domainName: '127.0.0.1',
        keepaliveTimeout: 5,
        path: '',
        port: 3000,
        protocol: 'http',
        readTimeout: 30,
        sslProtocols: ['TLSv1.2'],
      },
    },
  };
}

export function originRequest(uri: string, headers: CfHeaders = {}): CfEvent {
  return { Records: [{ cf: { config: { ...CONFIG, eventType: 'origin-request' }, request: originSideRequest(uri, headers) } }] };
}

function response(status: string, statusDescription: string, headers: CfHeaders): CfResponse {
  return { status, statusDescription, headers: { ...h('Date', 'Thu, 27 Nov 2026 04:00:00 GMT'), ...headers } };
}

export function originResponse(uri: string, status: string, statusDescription: string, headers: CfHeaders): CfEvent {
  return {
    Records: [
      {
        cf: {
          config: { ...CONFIG, eventType: 'origin-response' },
          request: originSideRequest(uri),
          response: response(status, statusDescription, headers),
        },
      },
    ],
  };
}

export function viewerResponse(uri: string, status: string, statusDescription: string, headers: CfHeaders): CfEvent {
  const viewer = viewerRequest(uri).Records[0].cf.request;
  return {
    Records: [
      {
        cf: {
          config: { ...CONFIG, eventType: 'viewer-response' },
          request: viewer,
          response: response(status, statusDescription, headers),
        },
      },
    ],
  };
}

/** The response of a response event (present by construction in the builders above). */
export function responseOf(event: CfEvent): CfResponse {
  const r = event.Records[0].cf.response;
  if (!r) throw new Error('event has no response');
  return r;
}

/** Narrowing helpers so tests read results without `any`. */
export function asRecord(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
export function headersOf(v: unknown): CfHeaders {
  return asRecord(asRecord(v)['headers']) as CfHeaders;
}
