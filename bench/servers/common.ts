// Shared by every server entry: tell the driver (over IPC) or the person (on stdout) where we
// listen, and die with the driver so no server outlives a bench run.

import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import type { ServerMessage } from '../lib/messages.js';

/** Resolves once the message is handed to the IPC channel, so a caller may exit right after. */
export function report(m: ServerMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (send) {
    return new Promise((resolve) => {
      send(m, undefined, undefined, () => resolve());
    });
  }
  if (m.type === 'ready') {
    process.stdout.write(`${m.url}\n`);
  } else {
    process.stderr.write(`${m.type}: ${m.reason}\n`);
  }
  return Promise.resolve();
}

/**
 * Exit as soon as the driver's IPC channel closes (the driver died, even by SIGKILL). Called first
 * thing by each entry, so a server stuck in start-up cannot outlive the bench either.
 */
export function dieWithParent(): void {
  if (process.send) process.once('disconnect', () => process.exit(0));
}

/** On SIGTERM/SIGINT (the driver's normal stop), close, bounded, then exit. */
export function exitOnSignal(close: () => Promise<void> | void): void {
  const stop = async (): Promise<void> => {
    // Bounded: a close() that hangs (open keep-alive sockets) must not keep the process alive.
    setTimeout(() => process.exit(0), 1500).unref();
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

export function listenLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a: AddressInfo | string | null = server.address();
      if (a === null || typeof a === 'string') reject(new Error('server has no TCP address'));
      else resolve(`http://127.0.0.1:${a.port}`);
    });
  });
}

/** Ends keep-alive connections too, so a bench server stops at once rather than when clients leave. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** True when the module at `metaUrl` is the process's entry script (not imported by a test). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === metaUrl;
}
