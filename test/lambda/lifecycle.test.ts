// The sinks on the admin listener (list, read, redrive), and stopping: a graceful stop waits for async
// invocations in flight and reports the queued events it drops; a synchronous call cut by the stop
// is a ServiceException.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { manualScheduler } from '../../src/lambda/scheduler.js';
import { fns, rejection, startLambda, until } from './helpers.js';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:dlq';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sinks on the admin listener', () => {
  it('lists targets, shows a target’s messages, and redrives them to their function', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edgeproxy-flaky-'));
    dirs.push(dir);
    const marker = path.join(dir, 'fail-now');
    writeFileSync(marker, '');
    const p = await startLambda(
      { functions: fns({ flaky: 'flaky.mjs' }), lambda: { timeScale: 0.001, functions: { flaky: { maximumRetryAttempts: 0, deadLetterQueue: DLQ } } } },
      { admin: true },
    );
    const admin = p.adminUrl ?? '';
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: JSON.stringify({ marker }) }));
    await until(() => (p.lambda?.sinks.messages(DLQ)?.length ?? 0) === 1, 10_000, 'the dead-letter message');

    const list = (await (await fetch(`${admin}/lambda/sinks`)).json()) as { sinks: Array<{ target: string; service: string; messages: number; file: string }> };
    expect(list.sinks).toEqual([{ target: DLQ, service: 'sqs', messages: 1, file: path.join(p.stateDir, 'sinks', 'sqs-dlq.jsonl') }]);
    expect(existsSync(list.sinks[0]?.file ?? '')).toBe(true);
    const one = (await (await fetch(`${admin}/lambda/sinks/${encodeURIComponent(DLQ)}`)).json()) as { messages: Array<{ kind: string; source: { requestId: string } }> };
    expect(one.messages[0]).toMatchObject({ kind: 'dead-letter', source: { requestId: out.$metadata.requestId } });

    rmSync(marker);
    const redrive = await fetch(`${admin}/lambda/sinks/${encodeURIComponent(DLQ)}/redrive`, { method: 'POST' });
    expect(redrive.status).toBe(200);
    expect(await redrive.json()).toEqual({ target: DLQ, redriven: 1, skipped: 0 });
    await until(() => (p.lambda?.queue.attempts ?? []).some((a) => a.functionName === 'flaky' && a.result === 'ok'), 10_000, 'the redriven event to succeed');
    const after = await fetch(`${admin}/lambda/sinks/${encodeURIComponent(DLQ)}`);
    expect(after.status).toBe(404);
  });
});

describe('stopping', () => {
  it('waits for an async invocation in flight, and reports the queued events it drops', async () => {
    const clock = manualScheduler();
    const p = await startLambda({ functions: fns({ hold: 'hold.mjs', fail: 'fail.mjs' }) }, { scheduler: clock });
    const waiting = await p.client.send(new InvokeCommand({ FunctionName: 'fail', InvocationType: 'Event', Payload: '{}' }));
    const running = await p.client.send(new InvokeCommand({ FunctionName: 'hold', InvocationType: 'Event', Payload: '{"ms":400}' }));
    clock.advance(0);
    await until(() => p.lambda?.queue.phase(waiting.$metadata.requestId ?? '') === 'waiting' && p.lambda.queue.phase(running.$metadata.requestId ?? '') === 'running', 10_000, 'one event waiting for its retry, one running');
    await p.close(1000);
    const held = p.lambda?.queue.attempts.find((a) => a.functionName === 'hold');
    expect(held?.result).toBe('ok');
    const line = p.logs.lines.find((l) => l.includes('still queued')) ?? '';
    expect(line).toBe(`edgeproxy: lambda: shutting down with 1 async event still queued; dropped: ${waiting.$metadata.requestId ?? ''}`);
  });

  it('a synchronous call still running when the runtime closes is a ServiceException (500)', async () => {
    const p = await startLambda({ functions: fns({ hold: 'hold.mjs' }), lambda: { functions: { hold: { timeout: 60 } } } });
    const call = p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":30000}' }));
    await until(() => p.metrics.snapshot().lambda.account.ConcurrentExecutions.current === 1, 5_000, 'the call to start');
    const closing = p.close(100);
    const e = await rejection(call);
    expect(e.name).toBe('ServiceException');
    expect(e.$metadata.httpStatusCode).toBe(500);
    expect(e.Type).toBe('Service');
    await closing;
  });
});
