// The bare passthrough: the least a Node proxy can do per request — undici Pool.stream() writing
// straight into the response (perf-notes: ≈2× faster than request() + pipeline), no cache, no
// header rules. Baseline of scenarios c and e.  Usage: node dist/bench/servers/passthrough.js <originUrl>

import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { dieWithParent, exitOnSignal, isMain, closeServer, listenLoopback, report } from './common.js';

// RFC 9110 §7.6.1: connection-specific headers are not forwarded (and undici refuses some of them).
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'];

function stripHopByHop<T extends Record<string, unknown>>(h: T): T {
  for (const name of HOP_BY_HOP) delete h[name];
  return h;
}

export async function startPassthrough(originUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new Pool(originUrl, { connections: 256, pipelining: 1 });
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const headers: IncomingHttpHeaders = stripHopByHop(req.headers);
    pool.stream(
      { path: req.url ?? '/', method, headers, body: method === 'GET' || method === 'HEAD' ? null : req, opaque: res },
      ({ statusCode, headers: h }) => {
        res.writeHead(statusCode, stripHopByHop(h));
        return res;
      },
      (err) => {
        if (err && !res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`passthrough: ${err.message}\n`);
        } else if (err) {
          res.destroy(err);
        }
      },
    );
  });
  const url = await listenLoopback(server);
  return {
    url,
    close: async () => {
      await closeServer(server);
      await pool.close();
    },
  };
}

if (isMain(import.meta.url)) {
  dieWithParent();
  const origin = process.argv[2];
  try {
    if (!origin) throw new Error('usage: passthrough.js <originUrl>');
    const p = await startPassthrough(origin);
    exitOnSignal(() => p.close());
    await report({ type: 'ready', url: p.url });
  } catch (e) {
    await report({ type: 'failed', reason: `passthrough: ${e instanceof Error ? e.message : String(e)}` });
    process.exit(1);
  }
}
