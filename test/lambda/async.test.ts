// The async queue through the real SDK and real workers: retry counts and delays (a manual scheduler
// steps through Lambda's minutes exactly; a fast time scale runs them in milliseconds), maximum event
// age, throttles that wait for capacity, reserved concurrency 0, the dead-letter message and the
// destination record, delivery failures, redrive, and a graceful stop.

import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { manualScheduler } from '../../src/lambda/scheduler.js';
import type { SinkMessage } from '../../src/lambda/sinks.js';
import { fns, functionMetrics, type LambdaTestProxy, startLambda, until } from './helpers.js';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:failed-events';
const ON_FAILURE = 'arn:aws:sns:us-east-1:123456789012:failures';
const ON_SUCCESS = 'arn:aws:sqs:us-east-1:123456789012:successes';

function sink(p: LambdaTestProxy, arn: string): readonly SinkMessage[] {
  return p.lambda?.sinks.messages(arn) ?? [];
}

async function event(p: LambdaTestProxy, name: string, payload: unknown): Promise<string> {
  const out = await p.client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: JSON.stringify(payload) }));
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId ?? '';
}

/** Until the queue has nothing running for this event (it waits for a retry, or is done). */
async function settled(p: LambdaTestProxy, id: string): Promise<void> {
  await until(() => p.lambda?.queue.phase(id) !== 'running', 10_000, `event ${id} to finish its attempt`);
}

function attempts(p: LambdaTestProxy, id: string) {
  return (p.lambda?.queue.attempts ?? []).filter((a) => a.requestId === id);
}

describe('async: retries after function errors', () => {
  it('two more tries, 1 minute then 2 minutes apart; then the dead-letter queue and the on-failure destination', async () => {
    const clock = manualScheduler();
    const p = await startLambda(
      { functions: fns({ fail: 'fail.mjs' }), lambda: { functions: { fail: { deadLetterQueue: DLQ, destinations: { onFailure: ON_FAILURE } } } } },
      { scheduler: clock, admin: true },
    );
    const id = await event(p, 'fail', { n: 1 });
    const t0 = clock.now();
    clock.advance(0);
    expect(attempts(p, id)).toHaveLength(1);
    await settled(p, id);
    clock.advance(59_999);
    expect(attempts(p, id)).toHaveLength(1);
    clock.advance(1);
    expect(attempts(p, id)).toHaveLength(2);
    await settled(p, id);
    clock.advance(119_999);
    expect(attempts(p, id)).toHaveLength(2);
    clock.advance(1);
    expect(attempts(p, id).map((a) => a.at - t0)).toEqual([0, 60_000, 180_000]);
    await settled(p, id);
    await until(() => sink(p, DLQ).length === 1 && sink(p, ON_FAILURE).length === 1, 5_000, 'both sinks to get the event');
    expect(p.lambda?.queue.phase(id)).toBeUndefined();
    expect(clock.pending()).toBe(0);

    // Dead-letter queue: the original event unchanged, with Lambda's three attributes.
    const dl = sink(p, DLQ)[0]?.message as { Body: string; MessageAttributes: Record<string, { DataType: string; StringValue: string }> };
    expect(dl.Body).toBe('{"n":1}');
    expect(dl.MessageAttributes).toEqual({
      RequestID: { DataType: 'String', StringValue: id },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'boom 1' },
    });

    // On-failure destination (SNS): the invocation record as the notification's message.
    const note = sink(p, ON_FAILURE)[0]?.message as { Type: string; TopicArn: string; Message: string };
    expect(note.Type).toBe('Notification');
    expect(note.TopicArn).toBe(ON_FAILURE);
    const record = JSON.parse(note.Message) as Record<string, unknown>;
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId: id, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fail:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom 1' },
    });
    expect(typeof record.timestamp).toBe('string');

    // Metrics: three invocations, three errors, one event received and dropped, its age at each attempt.
    expect(await functionMetrics(p, 'fail')).toMatchObject({ invocations: 3, errors: 3, throttles: 0, received: 1, dropped: 1, ageCount: 3, deadLetterErrors: 0, destinationDeliveryFailures: 0, queued: 0 });
  });

  it('MaximumRetryAttempts 0 (PutFunctionEventInvokeConfig from the SDK) means one attempt', async () => {
    const clock = manualScheduler();
    const p = await startLambda({ functions: fns({ fail: 'fail.mjs' }), lambda: { functions: { fail: { deadLetterQueue: DLQ } } } }, { scheduler: clock });
    const put = await p.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'fail', MaximumRetryAttempts: 0 }));
    expect(put.MaximumRetryAttempts).toBe(0);
    const id = await event(p, 'fail', { n: 2 });
    clock.advance(0);
    await settled(p, id);
    await until(() => sink(p, DLQ).length === 1, 5_000, 'the dead-letter message');
    clock.advance(600_000);
    expect(attempts(p, id)).toHaveLength(1);
  });

  it('an event older than MaximumEventAgeInSeconds is not tried again: EventAgeExceeded', async () => {
    const clock = manualScheduler();
    const p = await startLambda(
      { functions: fns({ fail: 'fail.mjs' }), lambda: { functions: { fail: { maximumEventAgeInSeconds: 60, destinations: { onFailure: ON_FAILURE } } } } },
      { scheduler: clock },
    );
    const id = await event(p, 'fail', {});
    clock.advance(0);
    await settled(p, id);
    // The retry would be due at 60 s; the event is 60 s old then.
    clock.advance(60_000);
    await until(() => sink(p, ON_FAILURE).length === 1, 5_000, 'the on-failure record');
    expect(attempts(p, id)).toHaveLength(1);
    const stored = sink(p, ON_FAILURE)[0]?.message as { Message: string } | undefined;
    const record = JSON.parse(stored?.Message ?? 'null') as { requestContext: { condition: string; approximateInvokeCount: number } };
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 });
  });

  it('with a fast time scale the real timers run the same schedule in milliseconds (delays are at least 60 and 120 ms)', async () => {
    const p = await startLambda({ functions: fns({ fail: 'fail.mjs' }), lambda: { timeScale: 0.001, functions: { fail: { deadLetterQueue: DLQ } } } });
    const id = await event(p, 'fail', { n: 3 });
    await until(() => sink(p, DLQ).length === 1, 10_000, 'the dead-letter message');
    const at = attempts(p, id).map((a) => a.at);
    expect(at).toHaveLength(3);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(60);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(120);

  });
});

describe('async: capacity and reserved concurrency', () => {
  it('a throttled event waits for capacity with backoff and does not use up its retries', async () => {
    const clock = manualScheduler();
    const p = await startLambda(
      { functions: fns({ hold: { file: 'hold.mjs', reservedConcurrency: 1 } }), lambda: { functions: { hold: { maximumRetryAttempts: 0, destinations: { onSuccess: ON_SUCCESS } } } } },
      { scheduler: clock, admin: true },
    );
    const busy = p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1500}' }));
    await until(() => (p.metrics.snapshot().lambda.functions.find((f) => f.FunctionName === 'hold')?.ConcurrentExecutions.current ?? 0) === 1, 5_000, 'the sync call to hold the slot');
    const id = await event(p, 'hold', { ms: 1 });
    clock.advance(0);
    await settled(p, id);
    expect(attempts(p, id).map((a) => a.result)).toEqual(['throttled']);
    clock.advance(999);
    expect(attempts(p, id)).toHaveLength(1);
    clock.advance(1);
    await settled(p, id);
    expect(attempts(p, id)).toHaveLength(2);
    // The backoff doubles while the slot is still taken (the sync call holds it for 1.5 s of real time).
    expect(attempts(p, id)[1]?.result).toBe('throttled');
    clock.advance(1_999);
    expect(attempts(p, id)).toHaveLength(2);
    clock.advance(1);
    expect(attempts(p, id)).toHaveLength(3);
    await busy;
    clock.advance(300_000);
    await until(() => sink(p, ON_SUCCESS).length === 1, 5_000, 'the on-success record');
    const results = attempts(p, id).map((a) => a.result);
    expect(results[results.length - 1]).toBe('ok');
    expect(results.slice(0, -1).every((r) => r === 'throttled')).toBe(true);
    const stored = sink(p, ON_SUCCESS)[0]?.message as { Body: string } | undefined;
    const record = JSON.parse(stored?.Body ?? 'null') as Record<string, unknown>;
    expect(record).toMatchObject({ requestContext: { requestId: id, condition: 'Success', approximateInvokeCount: 1 }, responseContext: { statusCode: 200, executedVersion: '$LATEST' }, responsePayload: { held: 1 } });
    const m = await functionMetrics(p, 'hold');
    // Each throttled attempt is a Throttle; only the run is an Invocation (the sync call is the other).
    expect(m.throttles).toBe(results.length - 1);
    expect(m.invocations).toBe(2);
  });

  it('reserved concurrency 0: the 202 still comes; the event goes to the dead-letter queue at once with ErrorCode 429, never run', async () => {
    const clock = manualScheduler();
    const p = await startLambda({ functions: fns({ off: { file: 'echo.mjs', reservedConcurrency: 0 } }), lambda: { functions: { off: { deadLetterQueue: DLQ } } } }, { scheduler: clock, admin: true });
    const id = await event(p, 'off', { k: 1 });
    clock.advance(0);
    await until(() => sink(p, DLQ).length === 1, 5_000, 'the dead-letter message');
    expect(attempts(p, id)).toHaveLength(0);
    const dl = sink(p, DLQ)[0]?.message as { Body: string; MessageAttributes: Record<string, { StringValue: string }> };
    expect(dl.Body).toBe('{"k":1}');
    expect(dl.MessageAttributes.ErrorCode?.StringValue).toBe('429');
    expect(await functionMetrics(p, 'off')).toMatchObject({ invocations: 0, received: 1, dropped: 1 });
  });
});

describe('async: delivery', () => {
  it('a Lambda on-failure destination is invoked with the record', async () => {
    const p = await startLambda({
      functions: fns({ fail: 'fail.mjs', echo: 'echo.mjs' }),
      lambda: { timeScale: 0.001, functions: { fail: { maximumRetryAttempts: 0, destinations: { onFailure: 'arn:aws:lambda:us-east-1:123456789012:function:echo' } } } },
    });
    const id = await event(p, 'fail', { n: 4 });
    await until(() => p.logs.lines.some((l) => l.includes('\techo {"version":"1.0"')), 10_000, 'echo to run with the record');
    const line = p.logs.lines.find((l) => l.includes('\techo {"version":"1.0"')) ?? '';
    const record = JSON.parse(line.slice(line.indexOf('echo ') + 5)) as { requestContext: { requestId: string; condition: string } };
    expect(record.requestContext).toMatchObject({ requestId: id, condition: 'RetriesExhausted' });
  });

  it('a sink that cannot be written counts DeadLetterErrors and DestinationDeliveryFailures', async () => {
    const p = await startLambda(
      {
        functions: fns({ fail: 'fail.mjs' }),
        lambda: { timeScale: 0.001, functions: { fail: { maximumRetryAttempts: 0, deadLetterQueue: DLQ, destinations: { onFailure: ON_FAILURE } } } },
      },
      { admin: true },
    );
    // The sink folder is a file: every write fails.
    const sinkDir = path.join(p.stateDir, 'sinks');
    writeFileSync(sinkDir, 'not a folder');
    await event(p, 'fail', {});
    await until(() => p.logs.lines.filter((l) => l.includes('could not deliver')).length === 2, 10_000, 'both deliveries to fail');
    expect(await functionMetrics(p, 'fail')).toMatchObject({ deadLetterErrors: 1, destinationDeliveryFailures: 1, dropped: 1, received: 1 });
    expect(p.logs.lines.some((l) => l.includes(`could not deliver dead-letter message`) && l.includes(DLQ))).toBe(true);
    rmSync(sinkDir, { force: true });
  });
});

