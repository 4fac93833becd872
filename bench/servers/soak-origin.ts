// The soak's origin: answers that name their request (so every body can be checked against the
// request it answers), and a few paths that fail on purpose.
//   GET /cache/<k>          `cache:/cache/<k>`, Cache-Control: max-age=300
//   GET /nostore/<id>, /fn/<id>   `<path>`, no-store
//   POST /echo/<id>         `echo:<path>:<body length>:<sha1 of the body>`
//   GET /origin/reset/<id>  the connection is reset before any answer
//   GET /origin/slow/<id>   answers after 1.5 s (past the soak's 0.5 s read timeout)
//   GET /origin/truncate/<id>  Content-Length 1000, 100 bytes, then the connection is destroyed
// Usage: node dist/bench/servers/soak-origin.js

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { closeServer, dieWithParent, exitOnSignal, isMain, listenLoopback, report } from './common.js';

const server = createServer((req, res) => {
  const path = req.url ?? '/';
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const send = (body: string, cacheControl: string): void => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': cacheControl, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (path.startsWith('/cache/')) return send(`cache:${path}`, 'max-age=300');
    if (path.startsWith('/echo/')) {
      const body = Buffer.concat(chunks);
      return send(`echo:${path}:${body.length}:${createHash('sha1').update(body).digest('hex')}`, 'no-store');
    }
    if (path.startsWith('/origin/reset/')) return void req.socket.resetAndDestroy();
    if (path.startsWith('/origin/slow/')) {
      const t = setTimeout(() => send(path, 'no-store'), 1500);
      res.once('close', () => clearTimeout(t));
      return;
    }
    if (path.startsWith('/origin/truncate/')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=300', 'content-length': '1000' });
      res.write('t'.repeat(100));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    send(path, 'no-store');
  });
});
server.keepAliveTimeout = 60_000;

if (isMain(import.meta.url)) {
  dieWithParent();
  exitOnSignal(() => closeServer(server));
  listenLoopback(server).then(
    (url) => report({ type: 'ready', url }),
    (e: unknown) => report({ type: 'failed', reason: e instanceof Error ? e.message : String(e) }).then(() => process.exit(1)),
  );
}
