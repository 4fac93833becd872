// WebSocket (and other Upgrade) requests pass through to the behavior's origin untouched: CloudFront
// forwards WebSocket connections without running edge functions on them.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { ResolvedConfig } from '../config/types.js';
import { selectBehavior } from '../config/path-pattern.js';
import type { Logger } from '../log.js';

interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createUpgradeHandler(config: ResolvedConfig, log: Logger): UpgradeHandler {
  const proxy = httpProxy.createProxyServer({ ws: true, xfwd: true });
  proxy.on('error', (err, req, target) => {
    log.warn(`websocket ${req.url ?? ''}: origin error: ${err.message}`);
    // For ws errors the third argument is the client socket.
    if (target && 'destroy' in target && typeof target.destroy === 'function') target.destroy();
  });
  // Upgraded connections leave the HTTP server's bookkeeping; close() must end them itself.
  const sockets = new Set<Duplex>();
  return {
    handle(req, socket, head) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const behavior = selectBehavior(config.behaviors, path);
      const origin = config.origins.get(behavior.originId);
      if (!origin) {
        socket.destroy();
        return;
      }
      proxy.ws(req, socket, head, { target: `${origin.protocol === 'https' ? 'wss' : 'ws'}://${origin.domainName}:${origin.port}${origin.path}` });
    },
    close() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      proxy.close();
    },
  };
}
