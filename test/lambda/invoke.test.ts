// Invoke through the real SDK: invocation types and statuses, Tail logs, executed version, request
// ids, function errors and timeouts, Lambda's error responses and limits.

import { InvokeCommand, LambdaServiceException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { fns, json, rejection, startLambda } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Invoke: invocation types', () => {
  it('RequestResponse answers 200 with the result, the executed version and the request id the function saw', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ a: 1 }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = json(out.Payload) as { event: unknown; requestId: string; version: string };
    expect(body.event).toEqual({ a: 1 });
    expect(body.version).toBe('$LATEST');
    expect(body.requestId).toMatch(UUID);
    expect(out.$metadata.requestId).toBe(body.requestId);
    expect(out.LogResult).toBeUndefined();
  });

  it('a handler that returns nothing answers null; an empty payload reaches the function as {}', async () => {
    const p = await startLambda({ functions: fns({ quiet: 'quiet.mjs', echo: 'echo.mjs' }) });
    const q = await p.client.send(new InvokeCommand({ FunctionName: 'quiet' }));
    expect(Buffer.from(q.Payload ?? new Uint8Array()).toString()).toBe('null');
    const e = await p.client.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect((json(e.Payload) as { event: unknown }).event).toEqual({});
  });

  it('Event answers 202 with no payload and runs the function later; DryRun answers 204 and runs nothing', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const ev = await p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"x":2}' }));
    expect(ev.StatusCode).toBe(202);
    expect(ev.Payload ?? new Uint8Array()).toHaveLength(0);
    expect(ev.$metadata.requestId).toMatch(UUID);
    const dry = await p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: '{"dry":true}' }));
    expect(dry.StatusCode).toBe(204);
    const deadline = Date.now() + 10_000;
    while (!p.logs.lines.some((l) => l.includes('echo {"x":2}')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(p.logs.lines.some((l) => l.includes('echo {"x":2}'))).toBe(true);
    // The async run logged under the id the 202 carried.
    expect(p.logs.lines.some((l) => l.startsWith(`START RequestId: ${ev.$metadata.requestId ?? 'none'} `))).toBe(true);
    expect(p.logs.lines.some((l) => l.includes('"dry":true'))).toBe(false);
  });
});

describe('Invoke: logs and errors of the function', () => {
  it('LogType Tail returns base64 of the invocation log: START, the console line, END, REPORT', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: '{"t":1}' }));
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    const id = out.$metadata.requestId ?? '';
    expect(log).toMatch(new RegExp(`^START RequestId: ${id} Version: \\$LATEST\\n`));
    expect(log).toContain(`\t${id}\tINFO\techo {"t":1}\n`);
    expect(log).toContain(`END RequestId: ${id}\n`);
    expect(log).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: [0-9.]+ ms\\tBilled Duration: \\d+ ms`));
  });

  it('Tail keeps only the last 4 KB', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: JSON.stringify({ pad: 'y'.repeat(10_000) }) }));
    const raw = Buffer.from(out.LogResult ?? '', 'base64');
    expect(raw.length).toBe(4096);
    expect(raw.toString('utf8')).toContain('REPORT RequestId:');
  });

  it('a thrown error is 200 with FunctionError Unhandled and Lambda error payload; the SDK does not throw', async () => {
    const p = await startLambda({ functions: fns({ fail: 'fail.mjs' }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'fail', Payload: '{"n":7}', LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = json(out.Payload) as { errorType: string; errorMessage: string; trace: unknown };
    expect(body.errorType).toBe('Error');
    expect(body.errorMessage).toBe('boom 7');
    expect(Array.isArray(body.trace)).toBe(true);
    expect((body.trace as string[])[0]).toBe('Error: boom 7');
    expect((body.trace as string[])[1]).toMatch(/^ {4}at .*fail\.mjs:\d+:\d+/);
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toContain('about to fail');
  });

  it('a timeout is a function error with Sandbox.Timedout and the request id in the message', async () => {
    const p = await startLambda({ functions: fns({ slow: 'slow.mjs' }), lambda: { functions: { slow: { timeout: 0.2 } } } });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'slow', Payload: '{"ms":5000}' }));
    expect(out.FunctionError).toBe('Unhandled');
    const body = json(out.Payload) as { errorType: string; errorMessage: string };
    expect(body.errorType).toBe('Sandbox.Timedout');
    // Lambda reports the time the invocation ran (at least the timeout); how far past it depends on the machine's load.
    const m = /^RequestId: (\S+) Error: Task timed out after (\d+\.\d\d) seconds$/.exec(body.errorMessage);
    expect(m?.[1]).toBe(out.$metadata.requestId);
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(0.2);
    expect(Number(m?.[2])).toBeLessThan(5);
  });

  it('a crashed runtime is a function error Runtime.ExitError', async () => {
    const p = await startLambda({ functions: fns({ crash: 'crash.mjs' }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'crash' }));
    expect(out.FunctionError).toBe('Unhandled');
    const body = json(out.Payload) as { errorType: string; errorMessage: string };
    expect(body.errorType).toBe('Runtime.ExitError');
    expect(body.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
  });

  it('a response over 6 MB is a function error Function.ResponseSizeTooLarge', async () => {
    const p = await startLambda({ functions: fns({ big: { file: 'big.mjs', memorySize: 512 } }) });
    const out = await p.client.send(new InvokeCommand({ FunctionName: 'big', Payload: JSON.stringify({ bytes: 6_291_556 }) }));
    expect(out.FunctionError).toBe('Unhandled');
    expect((json(out.Payload) as { errorType: string }).errorType).toBe('Function.ResponseSizeTooLarge');
    const ok = await p.client.send(new InvokeCommand({ FunctionName: 'big', Payload: JSON.stringify({ bytes: 6_291_554 }) }));
    expect(ok.FunctionError).toBeUndefined();
    expect(ok.Payload?.length).toBe(6_291_556);
  });
});

describe("Invoke: Lambda's error responses as the SDK surfaces them", () => {
  it('an unknown function is ResourceNotFoundException (404) naming the ARN, not retried', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) }, { clientOptions: { maxAttempts: 3 } });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'nope' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect(e.$metadata.attempts).toBe(1);
    expect(e.Type).toBe('User');
    expect(e.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope');
    const v = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '9' })));
    expect(v.name).toBe('ResourceNotFoundException');
    expect(v.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:9');
  });

  it('a payload that is not JSON is InvalidRequestContentException (400)', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"a":' })));
    expect(e.name).toBe('InvalidRequestContentException');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(String(e.message)).toMatch(/^Could not parse request body into json: /);
  });

  it('a qualifier in the name and a different one in Qualifier is InvalidParameterValueException', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo:$LATEST', Qualifier: '1' })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('payloads over 6 MB (sync) and 1 MB (Event) are 413 RequestEntityTooLargeException with the limit in the message', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const sync = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: `"${'a'.repeat(6_291_455)}"` })));
    expect(sync).toBeInstanceOf(LambdaServiceException);
    expect(sync.name).toBe('RequestEntityTooLargeException');
    expect(sync.$metadata.httpStatusCode).toBe(413);
    expect(sync.message).toBe('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    const async = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: `"${'a'.repeat(1_048_575)}"` })));
    expect(async.name).toBe('RequestEntityTooLargeException');
    expect(async.message).toBe('1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)');
    // At the limit exactly, both are accepted.
    const atSync = await p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: `"${'a'.repeat(6_291_454)}"` }));
    expect(atSync.StatusCode).toBe(204);
    const atAsync = await p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: `"${'a'.repeat(1_048_574)}"` }));
    expect(atAsync.StatusCode).toBe(204);
  });

  it('the legacy async limit is 256 KB', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }), lambda: { legacyAsyncLimit: true } });
    const e = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: `"${'a'.repeat(262_143)}"` })));
    expect(e.message).toBe('262145 byte payload is too large for the Event invocation type (limit 262144 bytes)');
  });

  it('names: full ARN, partial ARN, name:qualifier, any Region and account', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    for (const name of [
      'arn:aws:lambda:us-east-1:123456789012:function:echo',
      'arn:aws:lambda:eu-west-1:999999999999:function:echo:$LATEST',
      '123456789012:function:echo',
      'echo:$LATEST',
    ]) {
      const out = await p.client.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
      expect(out.StatusCode, name).toBe(200);
      expect(out.ExecutedVersion, name).toBe('$LATEST');
    }
  });

  it('an invalid X-Amz-Invocation-Type is a 400 ValidationException with X-Amzn-ErrorType', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const res = await fetch(`${p.lambdaUrl}/2015-03-31/functions/echo/invocations`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Later' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(UUID);
    const body = (await res.json()) as { Type: string; message: string };
    expect(body.Type).toBe('User');
    expect(body.message).toContain("at 'invocationType' failed to satisfy constraint");
  });

  it('an unknown path is UnknownOperationException; a non-loopback Host is refused', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const res = await fetch(`${p.lambdaUrl}/2015-03-31/nothing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const { request } = await import('node:http');
    const refused = await new Promise<{ status: number; type: unknown }>((resolve, reject) => {
      const u = new URL(p.lambdaUrl);
      const r = request({ host: u.hostname, port: u.port, path: '/2015-03-31/functions', headers: { host: 'evil.example' } }, (res2) => {
        res2.resume();
        resolve({ status: res2.statusCode ?? 0, type: res2.headers['x-amzn-errortype'] });
      });
      r.on('error', reject);
      r.end();
    });
    expect(refused).toEqual({ status: 403, type: 'AccessDeniedException' });
  });
});
