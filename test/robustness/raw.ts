// Raw sockets for the robustness suite: write exact bytes (in pieces, with pauses), read everything the
// peer sends until it closes, and split what came back into HTTP/1.1 responses.

import { connect, type Socket } from 'node:net';

export interface RawResult {
  /** Everything received, latin1. */
  text: string;
  /** The peer closed the connection (FIN or reset) before our deadline. */
  closed: boolean;
  /** How the connection ended: `end` (FIN), `reset`, or `deadline` (we gave up and closed it). */
  how: 'end' | 'reset' | 'deadline';
  /** Milliseconds from the first write to the close. */
  ms: number;
}

export interface RawOptions {
  /** Give up (and close our side) after this long; generous, the assertions are about order, not speed. */
  deadlineMs?: number;
  /** Pause between pieces. */
  gapMs?: number;
  /** Keep writing pieces only while the connection is open (a slowloris stops once cut). */
  stopOnClose?: boolean;
}

function target(base: string): { port: number; host: string } {
  const u = new URL(base);
  return { port: Number(u.port), host: u.hostname };
}

/** Writes `pieces` (one string = one write) and collects the answer until the peer closes. */
export function rawExchange(base: string, pieces: string | readonly string[], opts: RawOptions = {}): Promise<RawResult> {
  const list = typeof pieces === 'string' ? [pieces] : pieces;
  const { port, host } = target(base);
  const deadlineMs = opts.deadlineMs ?? 10_000;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, host);
    const chunks: Buffer[] = [];
    let how: RawResult['how'] = 'end';
    let done = false;
    let t0 = 0;
    const finish = (h: RawResult['how']): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: h !== 'deadline', how: h, ms: performance.now() - t0 });
      socket.destroy();
    };
    const deadline = setTimeout(() => finish('deadline'), deadlineMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {
      how = 'reset';
    });
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish(how));
    socket.once('connect', () => {
      t0 = performance.now();
      let i = 0;
      const next = (): void => {
        if (done || i >= list.length) return;
        if (opts.stopOnClose && socket.destroyed) return;
        socket.write(list[i++] as string, 'latin1');
        if (i < list.length) setTimeout(next, opts.gapMs ?? 0);
      };
      next();
    });
  });
}

export interface RawResponse {
  status: number;
  reason: string;
  headers: Map<string, string>;
  body: string;
}

/**
 * Splits a byte stream into responses, framed by Content-Length or chunked (enough for edgeproxy's
 * answers). Stops at the first response it cannot frame; `rest` is what was left over.
 */
export function parseResponses(text: string): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const [statusLine = '', ...lines] = text.slice(at, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
    if (m === null) break;
    const headers = new Map<string, string>();
    for (const l of lines) {
      const i = l.indexOf(':');
      const name = l.slice(0, i).toLowerCase();
      const value = l.slice(i + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    let bodyStart = end + 4;
    let body = '';
    const length = headers.get('content-length');
    const status = Number(m[1]);
    if (status < 200 || status === 204 || status === 304) {
      // no body
    } else if (length !== undefined) {
      const n = Number(length);
      if (bodyStart + n > text.length) break;
      body = text.slice(bodyStart, bodyStart + n);
      bodyStart += n;
    } else if (headers.get('transfer-encoding') === 'chunked') {
      let p = bodyStart;
      let complete = false;
      for (;;) {
        const eol = text.indexOf('\r\n', p);
        if (eol === -1) break;
        const size = Number.parseInt(text.slice(p, eol), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const trailerEnd = text.indexOf('\r\n', eol + 2);
          if (trailerEnd === -1) break;
          p = trailerEnd + 2;
          complete = true;
          break;
        }
        body += text.slice(eol + 2, eol + 2 + size);
        p = eol + 2 + size + 2;
      }
      if (!complete) break;
      bodyStart = p;
    } else {
      // Close-delimited: the rest of the stream.
      body = text.slice(bodyStart);
      bodyStart = text.length;
    }
    responses.push({ status, reason: m[2] ?? '', headers, body });
    at = bodyStart;
  }
  return { responses, rest: text.slice(at) };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
