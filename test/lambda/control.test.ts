// The control plane through the real SDK: functions, versions (the same store as `edgeproxy
// publish`), aliases with weighted routing, concurrency, event-invoke configs, account settings.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { fns, json, rejection, startLambda } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A function file the test can rewrite between publishes. */
function versioned(value: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgeproxy-fn-'));
  dirs.push(dir);
  const file = path.join(dir, 'v.mjs');
  writeFileSync(file, `export const handler = async () => ({ v: ${value} });\n`);
  return file;
}

/** random() that returns the given values in turn. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('control plane', () => {
  it('PublishVersion, qualifiers, CreateAlias with weighted routing, UpdateAlias, conflicts and revisions', async () => {
    const file = versioned(1);
    // Alias draws: 0.1 < 0.25 → the additional version; 0.9 → the primary.
    const p = await startLambda({ functions: [{ id: 'v', file }] }, { random: sequence([0.1, 0.9, 0.9, 0.1]) });
    const one = await p.client.send(new PublishVersionCommand({ FunctionName: 'v', Description: 'first' }));
    expect(one.$metadata.httpStatusCode).toBe(201);
    expect(one.Version).toBe('1');
    expect(one.FunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:v:1');
    // Unchanged code makes no new version.
    expect((await p.client.send(new PublishVersionCommand({ FunctionName: 'v' }))).Version).toBe('1');
    writeFileSync(file, 'export const handler = async () => ({ v: 2 });\n');
    const two = await p.client.send(new PublishVersionCommand({ FunctionName: 'v' }));
    expect(two.Version).toBe('2');
    expect(two.CodeSha256).not.toBe(one.CodeSha256);

    for (const [q, v] of [['1', 1], ['2', 2]] as const) {
      const out = await p.client.send(new InvokeCommand({ FunctionName: 'v', Qualifier: q }));
      expect(out.ExecutedVersion).toBe(q);
      expect(json(out.Payload)).toEqual({ v });
    }

    const alias = await p.client.send(new CreateAliasCommand({ FunctionName: 'v', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
    expect(alias.$metadata.httpStatusCode).toBe(201);
    expect(alias.AliasArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:v:live');
    expect(alias.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.25 });
    const executed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const out = await p.client.send(new InvokeCommand({ FunctionName: 'v:live' }));
      executed.push(out.ExecutedVersion ?? '');
      expect(json(out.Payload)).toEqual({ v: Number(out.ExecutedVersion) });
    }
    expect(executed).toEqual(['2', '1', '1', '2']);

    const dup = await rejection(p.client.send(new CreateAliasCommand({ FunctionName: 'v', Name: 'live', FunctionVersion: '2' })));
    expect(dup.name).toBe('ResourceConflictException');
    expect(dup.$metadata.httpStatusCode).toBe(409);

    const stale = await rejection(p.client.send(new UpdateAliasCommand({ FunctionName: 'v', Name: 'live', FunctionVersion: '2', RevisionId: 'not-it' })));
    expect(stale.name).toBe('PreconditionFailedException');
    expect(stale.$metadata.httpStatusCode).toBe(412);

    const two2 = await rejection(p.client.send(new CreateAliasCommand({ FunctionName: 'v', Name: 'split', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5, '3': 0.5 } } })));
    expect(two2.name).toBe('InvalidParameterValueException');

    const current = await p.client.send(new GetAliasCommand({ FunctionName: 'v', Name: 'live' }));
    const updated = await p.client.send(
      new UpdateAliasCommand({ FunctionName: 'v', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: current.RevisionId }),
    );
    expect(updated.FunctionVersion).toBe('2');
    expect(updated.RoutingConfig).toBeUndefined();
    expect(updated.RevisionId).not.toBe(current.RevisionId);
    for (let i = 0; i < 2; i++) expect((await p.client.send(new InvokeCommand({ FunctionName: 'v', Qualifier: 'live' }))).ExecutedVersion).toBe('2');

    const aliases = await p.client.send(new ListAliasesCommand({ FunctionName: 'v' }));
    expect(aliases.Aliases?.map((a) => a.Name)).toEqual(['live']);
    const versions = await p.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'v' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);

    const missing = await rejection(p.client.send(new InvokeCommand({ FunctionName: 'v', Qualifier: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:v:nope');
  });

  it('ListFunctions, GetFunction (with Qualifier and Concurrency), GetAccountSettings', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs', fail: { file: 'fail.mjs', memorySize: 256, timeout: 2 } }), runtime: { accountConcurrency: 50 } });
    const list = await p.client.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['echo', 'fail']);
    const fail = list.Functions?.find((f) => f.FunctionName === 'fail');
    expect(fail).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fail',
      Runtime: expect.stringMatching(/^nodejs\d+\.x$/) as unknown,
      Handler: 'fail.handler',
      MemorySize: 256,
      Timeout: 2,
      Version: '$LATEST',
      State: 'Active',
      PackageType: 'Zip',
    });
    expect(typeof fail?.CodeSha256).toBe('string');
    expect(fail?.CodeSize).toBeGreaterThan(0);
    expect(fail?.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    await p.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 5 }));
    const got = await p.client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration?.FunctionName).toBe('echo');
    expect(got.Concurrency?.ReservedConcurrentExecutions).toBe(5);
    const account = await p.client.send(new GetAccountSettingsCommand({}));
    expect(account.AccountLimit?.ConcurrentExecutions).toBe(50);
    expect(account.AccountUsage?.FunctionCount).toBe(2);

    const none = await rejection(p.client.send(new GetFunctionCommand({ FunctionName: 'nope' })));
    expect(none.name).toBe('ResourceNotFoundException');
  });

  it('Put/Get/Update/Delete FunctionEventInvokeConfig', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs', fail: 'fail.mjs' }) });
    const put = await p.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'fail',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:q' } },
      }),
    );
    expect(put).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fail:$LATEST', MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
    expect(put.DestinationConfig?.OnFailure?.Destination).toBe('arn:aws:sqs:us-east-1:123456789012:q');
    const upd = await p.client.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'fail', MaximumRetryAttempts: 0 }));
    expect(upd.MaximumRetryAttempts).toBe(0);
    expect(upd.MaximumEventAgeInSeconds).toBe(120);
    expect(upd.DestinationConfig?.OnFailure?.Destination).toBe('arn:aws:sqs:us-east-1:123456789012:q');
    const got = await p.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'fail' }));
    expect(got.MaximumRetryAttempts).toBe(0);
    const badAge = await rejection(p.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'fail', MaximumEventAgeInSeconds: 59 })));
    expect(badAge.name).toBe('ValidationException');
    const badDest = await rejection(p.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'fail', DestinationConfig: { OnSuccess: { Destination: 'arn:aws:s3:::bucket' } } })));
    expect(badDest.name).toBe('InvalidParameterValueException');
    await p.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'fail' }));
    const gone = await rejection(p.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'fail' })));
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('a control-plane body that is not JSON is refused: 415 for another media type, 400 for bad JSON', async () => {
    const p = await startLambda({ functions: fns({ echo: 'echo.mjs' }) });
    const url = `${p.lambdaUrl}/2017-10-31/functions/echo/concurrency`;
    const media = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'ReservedConcurrentExecutions=1' });
    expect(media.status).toBe(415);
    expect(media.headers.get('x-amzn-errortype')).toBe('UnsupportedMediaTypeException');
    const bad = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"ReservedConcurrentExecutions":' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });
});
