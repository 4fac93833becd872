// Child processes of the bench: every one is registered here and killed when the driver exits,
// whatever the reason (normal end, error, SIGINT, SIGTERM). Children also exit on their own when
// the IPC channel to the driver closes (see servers/common.ts), so a SIGKILLed driver leaves nothing.

import { fork, type ChildProcess } from 'node:child_process';
import { parseServerMessage } from './messages.js';

const live = new Set<ChildProcess>();
let handlersInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** Installs exit/signal handlers once; `onSignal` runs first (e.g. to print a line) and may not be async. */
export function installChildReaper(onSignal?: (signal: NodeJS.Signals) => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      onSignal?.(sig);
      killAllNow();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Keeps the last lines a child printed, for the reason shown when it fails to start. */
class Tail {
  private lines: string[] = [];
  constructor(private readonly keep: number) {}
  push(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      if (this.lines.length > this.keep) this.lines.shift();
    }
  }
  text(): string {
    return this.lines.join(' | ');
  }
}

export function spawnChild(script: string, args: readonly string[]): { child: ChildProcess; tail: () => string } {
  // execArgv: [] so a driver started with --inspect or --cpu-prof does not pass it to children.
  const child = fork(script, [...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const tail = new Tail(8);
  // Drain both pipes always: a child that logs per request must never block on a full pipe.
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  return { child, tail: () => tail.text() };
}

export interface ServerChild {
  name: string;
  pid: number;
  url: string;
  close(): Promise<void>;
}

export type StartOutcome = { ok: true; server: ServerChild } | { ok: false; unavailable: boolean; reason: string };

/** Ends a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Forks a server entry and waits (bounded) for its `ready`, `unavailable` or `failed` message. */
export function startServer(name: string, script: string, args: readonly string[], timeoutMs = 15_000): Promise<StartOutcome> {
  const { child, tail } = spawnChild(script, args);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: StartOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!o.ok) void stopChild(child);
      resolve(o);
    };
    const timer = setTimeout(
      () => settle({ ok: false, unavailable: false, reason: `${name} did not report ready within ${timeoutMs} ms ${tail()}`.trim() }),
      timeoutMs,
    );
    child.on('message', (raw: unknown) => {
      const m = parseServerMessage(raw);
      if (!m) return;
      if (m.type === 'ready') {
        const pid = child.pid;
        if (pid === undefined) return settle({ ok: false, unavailable: false, reason: `${name}: no pid` });
        settle({ ok: true, server: { name, pid, url: m.url, close: () => stopChild(child) } });
      } else {
        settle({ ok: false, unavailable: m.type === 'unavailable', reason: m.reason });
      }
    });
    child.once('exit', (code, signal) => {
      settle({ ok: false, unavailable: false, reason: `${name} exited (${signal ?? `code ${code}`}) before ready ${tail()}`.trim() });
    });
    child.once('error', (e) => settle({ ok: false, unavailable: false, reason: `${name}: ${e.message}` }));
  });
}
