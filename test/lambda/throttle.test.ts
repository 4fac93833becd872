// Synchronous throttling: reserved concurrency (0 included) and the account limit answer 429
// TooManyRequestsException with its Reason at once; the edge path and the Lambda API count against
// the same concurrency; UnreservedConcurrentExecutions.

import { GetAccountSettingsCommand, InvokeCommand, PutFunctionConcurrencyCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { send } from '../helpers.js';
import { fns, functionMetrics, metricsJson, rejection, startLambda, until } from './helpers.js';

describe('sync throttling', () => {
  it('reserved concurrency 0: every synchronous call is 429 ReservedFunctionConcurrentInvocationLimitExceeded, counted as a Throttle only', async () => {
    const p = await startLambda({ functions: fns({ off: { file: 'echo.mjs', reservedConcurrency: 0 } }) }, { admin: true });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'off' })));
    expect(e).toBeInstanceOf(TooManyRequestsException);
    expect(e.name).toBe('TooManyRequestsException');
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect(e.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(e.Type).toBe('User');
    expect(e.message).toBe('Rate Exceeded.');
    expect(await functionMetrics(p, 'off')).toMatchObject({ invocations: 0, errors: 0, throttles: 1 });
  });

  it('the SDK retries a 429 by default: each attempt is one more Throttle', async () => {
    const p = await startLambda({ functions: fns({ off: { file: 'echo.mjs', reservedConcurrency: 0 } }) }, { admin: true, clientOptions: { maxAttempts: 2 } });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'off' })));
    expect(e.$metadata.attempts).toBe(2);
    expect((await functionMetrics(p, 'off')).throttles).toBe(2);
  });

  it('a full reserved pool answers 429 at once while its call runs; after it ends the function runs again', async () => {
    const p = await startLambda({ functions: fns({ hold: { file: 'hold.mjs', reservedConcurrency: 1 } }) });
    const first = p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1500}' }));
    await until(() => (p.metrics.snapshot().lambda.functions.find((f) => f.FunctionName === 'hold')?.ConcurrentExecutions.current ?? 0) === 1, 5_000, 'the first call to start');
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1}' })));
    expect(e.name).toBe('TooManyRequestsException');
    expect(e.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect((await first).StatusCode).toBe(200);
    const again = await p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1}' }));
    expect(again.StatusCode).toBe(200);
  });

  it('the account limit answers ConcurrentInvocationLimitExceeded; UnreservedConcurrentExecutions counts the calls in flight', async () => {
    const p = await startLambda({ functions: fns({ hold: 'hold.mjs' }), runtime: { accountConcurrency: 2 } }, { admin: true });
    const a = p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1500}' }));
    const b = p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1500}' }));
    await until(() => p.metrics.snapshot().lambda.account.ConcurrentExecutions.current === 2, 5_000, 'two calls in flight');
    const m = await metricsJson(p);
    expect(m.lambda.UnreservedConcurrentExecutions.current).toBe(2);
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1}' })));
    expect(e.Reason).toBe('ConcurrentInvocationLimitExceeded');
    await Promise.all([a, b]);
    const after = await metricsJson(p);
    expect(after.lambda.UnreservedConcurrentExecutions).toEqual({ current: 0, max: 2 });
    const text = await (await fetch(`${p.adminUrl ?? ''}/metrics`)).text();
    expect(text).toContain('edgeproxy_lambda_unreserved_concurrent_executions_max 2\n');
  });

  it('an edge invocation and a Lambda API invocation count against the same reserved concurrency', async () => {
    const p = await startLambda({
      functions: fns({ hold: { file: 'hold.mjs', reservedConcurrency: 1 } }),
      behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'hold' } }],
      timeouts: { viewer: 5 },
    });
    // The viewer request holds the slot for 1.5 s (the origin is unreachable afterwards: whatever it answers, it ran).
    const viewer = send(p.url, '/page');
    await until(() => (p.metrics.snapshot().lambda.functions.find((f) => f.FunctionName === 'hold')?.ConcurrentExecutions.current ?? 0) === 1, 5_000, 'the edge invocation to start');
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1}' })));
    expect(e.name).toBe('TooManyRequestsException');
    await viewer;
    expect((await p.client.send(new InvokeCommand({ FunctionName: 'hold', Payload: '{"ms":1}' }))).StatusCode).toBe(200);
  });

  it('PutFunctionConcurrency 0 turns a function off, for the edge path too; it moves the unreserved limit; a reservation leaving too little is refused', async () => {
    const p = await startLambda({
      functions: fns({ echo: 'echo.mjs', pass: 'hold.mjs' }),
      behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'echo' } }],
      runtime: { accountConcurrency: 20 },
    });
    expect((await p.client.send(new InvokeCommand({ FunctionName: 'echo' }))).StatusCode).toBe(200);
    const before = await p.client.send(new GetAccountSettingsCommand({}));
    expect(before.AccountLimit?.UnreservedConcurrentExecutions).toBe(20);
    await p.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'pass', ReservedConcurrentExecutions: 5 }));
    const after = await p.client.send(new GetAccountSettingsCommand({}));
    expect(after.AccountLimit?.UnreservedConcurrentExecutions).toBe(15);
    const put = await p.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 0 }));
    expect(put.ReservedConcurrentExecutions).toBe(0);
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo' })));
    expect(e.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    // The edge path sees the same reservation: its viewer-request function is throttled too.
    const edge = await send(p.url, '/');
    expect(edge.status).toBe(503);
    expect(edge.headers['x-cache']).toBe('LambdaLimitExceeded from cloudfront');
    const tooMuch = await rejection(p.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 14 })));
    expect(tooMuch.name).toBe('InvalidParameterValueException');
    expect(tooMuch.message).toContain('below its minimum value of [2]');
  });
});
