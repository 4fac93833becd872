// Local stand-ins for the dead-letter queues and destinations of async invocations: one JSON-lines
// file per target service and name, plus the recent messages in memory for the admin listener
// (`GET /lambda/sinks`, `POST /lambda/sinks/{arn}/redrive`). Every SQS queue, SNS topic, EventBridge
// bus and S3 bucket an ARN names "exists" here; a write that fails is a failed delivery, counted as
// DeadLetterErrors or DestinationDeliveryFailures like Lambda counts a refused one.

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import type { TargetArn } from './names.js';

/** Messages kept in memory per target (the file keeps all of them). */
const MEMORY_PER_TARGET = 1_000;

export type SinkKind = 'dead-letter' | 'on-failure' | 'on-success';

export interface SinkMessage {
  /** Our id of the stored message (SQS MessageId / SNS MessageId). */
  id: string;
  /** When it was stored (ISO 8601). */
  time: string;
  target: string;
  service: TargetArn['service'];
  kind: SinkKind;
  /** What the service would hold: an SQS message, an SNS notification, an EventBridge event, an S3 object. */
  message: unknown;
  /** The async event it came from, for redrive. */
  source: { functionName: string; qualifier: string; requestId: string; payload: string };
}

export interface SinkSummary {
  target: string;
  service: TargetArn['service'];
  messages: number;
  file: string;
}

function isSinkMessage(v: unknown): v is SinkMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  const s = m['source'];
  return typeof m['id'] === 'string' && typeof m['target'] === 'string' && typeof m['service'] === 'string' && typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>)['payload'] === 'string';
}

export class Sinks {
  private readonly byTarget = new Map<string, SinkMessage[]>();
  private readonly files = new Map<string, string>();
  /** Writes in order, per file. */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    this.load();
  }

  /** Messages left by an earlier run are listed again (the files outlive the process; the queue does not). */
  private load(): void {
    if (!existsSync(this.dir)) return;
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.jsonl'));
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        this.log.warn(`edgeproxy: lambda sinks: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let m: unknown;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (isSinkMessage(m)) this.remember(m, file);
      }
    }
  }

  private remember(m: SinkMessage, file: string): void {
    let list = this.byTarget.get(m.target);
    if (list === undefined) {
      list = [];
      this.byTarget.set(m.target, list);
    }
    list.push(m);
    if (list.length > MEMORY_PER_TARGET) list.splice(0, list.length - MEMORY_PER_TARGET);
    this.files.set(m.target, file);
  }

  fileFor(t: TargetArn): string {
    const safe = `${t.service}-${t.resource}`.replace(/[^A-Za-z0-9._-]+/g, '_');
    return path.join(this.dir, `${safe}.jsonl`);
  }

  /** Stores one message; false (and a warning naming the file) when it could not be written. */
  async deliver(t: TargetArn, kind: SinkKind, message: unknown, source: SinkMessage['source']): Promise<boolean> {
    const m: SinkMessage = { id: randomUUID(), time: new Date().toISOString(), target: t.arn, service: t.service, kind, message, source };
    const file = this.fileFor(t);
    const prev = this.writing.get(file) ?? Promise.resolve();
    const write = prev.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await appendFile(file, `${JSON.stringify(m)}\n`);
    });
    this.writing.set(file, write.catch(() => {}));
    try {
      await write;
    } catch (e) {
      this.log.warn(`edgeproxy: lambda: could not deliver ${kind} message for request ${source.requestId} to ${t.arn} (${file}): ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    this.remember(m, file);
    return true;
  }

  list(): SinkSummary[] {
    return [...this.byTarget].map(([target, msgs]) => ({ target, service: msgs[0]?.service ?? 'sqs', messages: msgs.length, file: this.files.get(target) ?? '' }));
  }

  messages(target: string): readonly SinkMessage[] | undefined {
    return this.byTarget.get(target);
  }

  /** Removes a target's messages (memory and file) and returns them, for redrive. */
  async take(target: string): Promise<SinkMessage[]> {
    const list = this.byTarget.get(target) ?? [];
    this.byTarget.delete(target);
    const file = this.files.get(target);
    if (file !== undefined) {
      // Other targets may share the file (same name in another Region): keep their lines.
      const others = [...this.byTarget.values()].flat().filter((m) => this.files.get(m.target) === file);
      await (this.writing.get(file) ?? Promise.resolve());
      await writeFile(file, others.map((m) => `${JSON.stringify(m)}\n`).join(''));
    }
    return list;
  }

  /** Waits for writes in progress. */
  async flush(): Promise<void> {
    await Promise.all(this.writing.values());
  }
}
