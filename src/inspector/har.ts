// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of the inspector's exchanges, so the list
// opens in a browser's devtools; edgeproxy's per-stage details ride in `_edgeproxy` fields (custom
// fields start with an underscore, as the spec allows).

import type { ExchangeRecord, HeaderLine } from './record.js';

interface HarHeader {
  name: string;
  value: string;
}

function headers(lines: readonly HeaderLine[]): HarHeader[] {
  return lines.map(([name, value]) => ({ name, value }));
}

function header(lines: readonly HeaderLine[], lower: string): string | undefined {
  for (const [n, v] of lines) if (n.toLowerCase() === lower) return v;
  return undefined;
}

function queryString(target: string): HarHeader[] {
  const q = target.indexOf('?');
  if (q < 0) return [];
  const out: HarHeader[] = [];
  for (const part of target.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const raw = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const dec = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    out.push({ name: dec(raw[0] as string), value: dec(raw[1] as string) });
  }
  return out;
}

function stepMs(r: ExchangeRecord, step: string): number {
  let ms = 0;
  for (const s of r.steps) if (s.step === step) ms += s.durationMs;
  return ms;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function harEntry(r: ExchangeRecord): Record<string, unknown> {
  const host = header(r.request.headers, 'host') ?? 'localhost';
  const url = `http://${host}${r.request.target}`;
  const reqBody = r.request.body;
  const resBody = r.response.body;
  const wait = stepMs(r, 'origin-fetch');
  const receive = stepMs(r, 'deliver');
  const send = Math.max(0, r.durationMs - wait - receive);
  const mimeType = header(r.response.headers, 'content-type') ?? '';
  const content: Record<string, unknown> = { size: resBody?.size ?? 0, mimeType };
  if (resBody !== undefined && resBody.text !== '') {
    content.text = resBody.text;
    if (resBody.encoding === 'base64') content.encoding = 'base64';
    if (resBody.truncated) content.comment = `first ${resBody.encoding === 'base64' ? Buffer.from(resBody.text, 'base64').length : Buffer.byteLength(resBody.text)} bytes of ${resBody.size ?? '?'}`;
  }
  const request: Record<string, unknown> = {
    method: r.request.method,
    url,
    httpVersion: `HTTP/${r.request.httpVersion}`,
    cookies: [],
    headers: headers(r.request.headers),
    queryString: queryString(r.request.target),
    headersSize: -1,
    bodySize: reqBody?.size ?? 0,
  };
  if (reqBody !== undefined) request.postData = { mimeType: header(r.request.headers, 'content-type') ?? '', text: reqBody.text, ...(reqBody.encoding === 'base64' ? { encoding: 'base64' } : {}) };
  const { request: _req, response: _res, ...details } = r;
  return {
    startedDateTime: r.startedAt,
    time: round(r.durationMs),
    request,
    response: {
      status: r.response.status,
      statusText: r.response.statusText,
      httpVersion: `HTTP/${r.request.httpVersion}`,
      cookies: [],
      headers: headers(r.response.headers),
      content,
      redirectURL: header(r.response.headers, 'location') ?? '',
      headersSize: -1,
      bodySize: resBody?.size ?? -1,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: round(send), wait: round(wait), receive: round(receive) },
    serverIPAddress: '127.0.0.1',
    _edgeproxy: details,
  };
}

export function harLog(records: readonly ExchangeRecord[], version: string): Record<string, unknown> {
  // Oldest first, as browsers write them.
  const entries = [...records].reverse().map(harEntry);
  return { log: { version: '1.2', creator: { name: 'edgeproxy', version }, pages: [], entries } };
}
