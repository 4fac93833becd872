// What a CloudFront Function worker adds to the function-worker protocol (protocol.ts): its init
// data, the per-run prefix of an invocation's event, the envelope its result comes back in, and the
// key value store snapshot the host sends when a data file changes. Plain data; imported by the
// worker thread too: node builtins and constants only.

/** The two runtimes a CloudFront Function can declare (FunctionConfig.Runtime); src/cff/limits.ts re-exports it. */
export type CffRuntime = 'cloudfront-js-1.0' | 'cloudfront-js-2.0';

/** Function logs are cut at 10 KB per run (CloudFront Developer Guide, edge-functions-logs.html). */
export const LOG_LIMIT_BYTES = 10 * 1024;

/** A key value store as the worker holds it. */
export interface KvsSnapshot {
  /** The store's id (what `cf.kvs(id)` must name). */
  id: string;
  entries: Array<[string, string]>;
  creationDateTime: string;
  lastUpdatedDateTime: string;
}

/** `workerData.cff` of a CloudFront Function worker (beside the usual WorkerInit fields). */
export interface CffWorkerInit {
  runtime: CffRuntime;
  /** The checked code as a script (check.ts `script`). */
  script: string;
  kvs?: KvsSnapshot;
  edgeLocation?: { name: string; serverIp: string; region: string };
}

export function isCffWorkerInit(v: unknown): v is CffWorkerInit {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<Record<keyof CffWorkerInit, unknown>>;
  return (c.runtime === 'cloudfront-js-1.0' || c.runtime === 'cloudfront-js-2.0') && typeof c.script === 'string';
}

/** Host → worker: the store's new contents (or none). Not a string, so Lambda workers ignore it. */
export interface KvsUpdateMessage {
  t: 'kvs';
  kvs: KvsSnapshot | null;
}

export function isKvsUpdate(v: unknown): v is KvsUpdateMessage {
  return typeof v === 'object' && v !== null && (v as { t?: unknown }).t === 'kvs';
}

// One invocation's event field (protocol.ts Invoke.event) for a CloudFront Function:
// `<eventType>\x01<nowMs>\x01<JSON of rawQuery or null>\x01<event JSON>`. JSON.stringify escapes
// every control character, so \x01 never occurs inside the JSON parts.
const SEP = '\x01';

export interface CffRunPrefix {
  eventType: 'viewer-request' | 'viewer-response';
  nowMs: number;
  rawQuery: string | undefined;
}

export function encodeCffEvent(p: CffRunPrefix, eventJson: string): string {
  return `${p.eventType}${SEP}${p.nowMs}${SEP}${p.rawQuery === undefined ? 'null' : JSON.stringify(p.rawQuery)}${SEP}${eventJson}`;
}

export function decodeCffEvent(s: string): (CffRunPrefix & { eventJson: string }) | undefined {
  const a = s.indexOf(SEP);
  const b = a < 0 ? -1 : s.indexOf(SEP, a + 1);
  const c = b < 0 ? -1 : s.indexOf(SEP, b + 1);
  if (c < 0) return undefined;
  const eventType = s.slice(0, a);
  if (eventType !== 'viewer-request' && eventType !== 'viewer-response') return undefined;
  const nowMs = Number(s.slice(a + 1, b));
  if (!Number.isFinite(nowMs)) return undefined;
  const q = s.slice(b + 1, c);
  let rawQuery: string | undefined;
  if (q !== 'null') {
    try {
      const parsed: unknown = JSON.parse(q);
      if (typeof parsed !== 'string') return undefined;
      rawQuery = parsed;
    } catch {
      return undefined;
    }
  }
  return { eventType, nowMs, rawQuery, eventJson: s.slice(c + 1) };
}

/**
 * What a CloudFront Function run sends back as its (successful, to the pool) `done` result: the
 * outcome of the handler and the facts of the run. An execution error is an outcome here too, because
 * CloudFront's answer to it (503 FunctionExecutionError) and its logs differ from Lambda's.
 */
export type CffEnvelope =
  | ({ ok: true; result: unknown } & CffRunFacts)
  | ({ ok: false; errorType: string; errorMessage: string; stack: string } & CffRunFacts);

interface CffRunFacts {
  /** Milliseconds the handler ran. */
  ms: number;
  /** The run's console.log lines (10 KB at most). */
  logs: string[];
  logsTruncated: boolean;
  /** cloudfront-module origin helper calls, in order. */
  origin: Array<{ helper: string; args: unknown }>;
  kvsReads: number;
}

export function isCffEnvelope(v: unknown): v is CffEnvelope {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Partial<Record<string, unknown>>;
  return typeof e['ok'] === 'boolean' && typeof e['ms'] === 'number' && Array.isArray(e['logs']) && Array.isArray(e['origin']);
}
