// An origin that misbehaves on purpose: a plain TCP server that reads each request head and hands the
// socket to the script for its path, which writes whatever bytes it likes (or none) and may reset,
// half-close or stall the connection.

import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  head: string;
}

/** Writes the answer for one request; return `'keep'` to read the next request on the same socket. */
export type Script = (socket: Socket, req: RawRequest) => undefined | 'keep';

export interface RawOrigin {
  url: string;
  /** Every request head received, in order. */
  requests: RawRequest[];
  /** How many requests each path received. */
  count(path: string): number;
  close(): Promise<void>;
}

export async function startRawOrigin(scripts: Record<string, Script>): Promise<RawOrigin> {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    let busy = false;
    const onData = (c: Buffer): void => {
      if (busy) return;
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buf.slice(0, end);
      const lengthMatch = /\r\ncontent-length: *(\d+)/i.exec(head);
      const bodyLength = lengthMatch ? Number(lengthMatch[1]) : 0;
      if (buf.length < end + 4 + bodyLength) return;
      buf = buf.slice(end + 4 + bodyLength);
      const [method = '', path = ''] = head.split('\r\n')[0]?.split(' ') ?? [];
      const req = { method, path, head };
      requests.push(req);
      const script = scripts[path.split('?')[0] ?? ''];
      busy = true;
      if (script === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (script(socket, req) === 'keep') {
        busy = false;
        if (buf.length > 0) onData(Buffer.alloc(0));
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
