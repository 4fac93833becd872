// Driver side of the load generator child (../loadgen.ts): one child for the whole bench,
// one run at a time, every run bounded by a timeout after which the child is replaced.

import type { ChildProcess } from 'node:child_process';
import { spawnChild, stopChild } from './children.js';
import { benchScript } from './paths.js';
import { parseLoadReply, type LoadCommand, type LoadResult, type RequestSpec } from './messages.js';

const SCRIPT = benchScript('loadgen.js');

export class LoadGenerator {
  private child: ChildProcess | undefined;
  private nextId = 1;

  private async ensure(): Promise<ChildProcess> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const { child, tail } = spawnChild(SCRIPT, []);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load generator did not start within 10 s ${tail()}`)), 10_000);
      child.on('message', (raw: unknown) => {
        if (parseLoadReply(raw)?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`load generator exited with code ${code} ${tail()}`));
      });
    });
    this.child = child;
    return child;
  }

  async run(url: string, connections: number, durationSec: number, request: RequestSpec): Promise<LoadResult> {
    const child = await this.ensure();
    const cmd: LoadCommand = { type: 'run', id: this.nextId++, url, connections, durationSec, request };
    // autocannon ends a run at `duration`; a run that is still going well after it has hung.
    const limitMs = durationSec * 1000 + 20_000;
    return new Promise<LoadResult>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (raw: unknown): void => {
        const m = parseLoadReply(raw);
        if (!m || m.type === 'ready' || m.id !== cmd.id) return;
        cleanup();
        if (m.type === 'result') resolve(m.result);
        else reject(new Error(`autocannon: ${m.message}`));
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`load generator died (code ${code}) during a run`));
      };
      const timer = setTimeout(() => {
        cleanup();
        void stopChild(child, 200);
        this.child = undefined;
        reject(new Error(`load run did not finish within ${limitMs} ms; load generator restarted`));
      }, limitMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(cmd);
    });
  }

  async close(): Promise<void> {
    if (this.child) await stopChild(this.child, 1000);
    this.child = undefined;
  }
}
