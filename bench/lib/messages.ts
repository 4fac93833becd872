// Plain-data messages between the bench driver and its children (servers and the load generator).
// Everything that arrives over IPC is `unknown` until one of the guards below has looked at it.

/** What the load generator sends: data only, so it crosses the process boundary as JSON. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** POST body size; the body is `bodyBytes` of 'b'. */
  bodyBytes?: number;
  /** Scenario g: each request picks `${prefix}${random integer in [0, count)}`. */
  randomPath?: { prefix: string; count: number };
}

/** Server child → driver. */
export type ServerMessage =
  | { type: 'ready'; url: string }
  /** The target cannot run yet (e.g. src/index.js has no startEdgeProxy): reported as n/a, not a crash. */
  | { type: 'unavailable'; reason: string }
  | { type: 'failed'; reason: string };

export interface LoadCommand {
  type: 'run';
  id: number;
  url: string;
  connections: number;
  durationSec: number;
  request: RequestSpec;
}

export interface LatencySummaryUs {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export interface LoadResult {
  /** Completed responses, any status. */
  requests: number;
  durationSec: number;
  reqPerSec: number;
  /** Response bytes (status line, headers and body) as autocannon counts them. */
  bytes: number;
  mbPerSec: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** From every response, at microsecond resolution (autocannon's own histogram keeps whole ms). */
  latencyUs: LatencySummaryUs;
}

export type LoadReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'error'; id: number; message: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function parseServerMessage(x: unknown): ServerMessage | undefined {
  if (!isRecord(x)) return undefined;
  if (x.type === 'ready' && typeof x.url === 'string') return { type: 'ready', url: x.url };
  if ((x.type === 'unavailable' || x.type === 'failed') && typeof x.reason === 'string') return { type: x.type, reason: x.reason };
  return undefined;
}

function isRequestSpec(x: unknown): x is RequestSpec {
  if (!isRecord(x)) return false;
  if (x.method !== 'GET' && x.method !== 'POST') return false;
  if (typeof x.path !== 'string') return false;
  if (x.bodyBytes !== undefined && typeof x.bodyBytes !== 'number') return false;
  if (x.headers !== undefined && !isRecord(x.headers)) return false;
  if (x.randomPath !== undefined) {
    const r = x.randomPath;
    if (!isRecord(r) || typeof r.prefix !== 'string' || typeof r.count !== 'number') return false;
  }
  return true;
}

export function parseLoadCommand(x: unknown): LoadCommand | undefined {
  if (!isRecord(x) || x.type !== 'run') return undefined;
  const { id, url, connections, durationSec, request } = x;
  if (typeof id !== 'number' || typeof url !== 'string' || typeof connections !== 'number') return undefined;
  if (typeof durationSec !== 'number' || !isRequestSpec(request)) return undefined;
  return { type: 'run', id, url, connections, durationSec, request };
}

function isLoadResult(x: unknown): x is LoadResult {
  if (!isRecord(x)) return false;
  const nums = ['requests', 'durationSec', 'reqPerSec', 'bytes', 'mbPerSec', 'errors', 'timeouts', 'non2xx'];
  return nums.every((k) => typeof x[k] === 'number') && isRecord(x.latencyUs) && isRecord(x.statusCodes);
}

export function parseLoadReply(x: unknown): LoadReply | undefined {
  if (!isRecord(x)) return undefined;
  if (x.type === 'ready') return { type: 'ready' };
  if (typeof x.id !== 'number') return undefined;
  if (x.type === 'result' && isLoadResult(x.result)) return { type: 'result', id: x.id, result: x.result };
  if (x.type === 'error' && typeof x.message === 'string') return { type: 'error', id: x.id, message: x.message };
  return undefined;
}
