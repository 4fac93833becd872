// The `lambda` config section and --lambda-port: defaults, ranges, function ids and ARNs, messages
// that name the field.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli-args.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const BASE = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));

function config(lambda: unknown, extra: Record<string, unknown> = {}) {
  return { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], functions: [{ id: 'echo', file: 'echo.mjs' }], lambda, ...extra };
}

async function problem(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('lambda config', () => {
  it('is off without the section or the flag; `lambda: {}` gives the defaults', async () => {
    const off = await loadConfig({ object: config(undefined), baseDir: BASE });
    expect(off.lambda).toBeUndefined();
    const on = await loadConfig({ object: config({}), baseDir: BASE });
    expect(on.lambda).toMatchObject({ host: '127.0.0.1', port: 0, region: 'us-east-1', accountId: '123456789012', timeScale: 1, asyncPayloadLimit: 1_048_576, sinkDir: undefined });
  });

  it('--lambda-port turns it on and wins over lambda.port', async () => {
    const cmd = parseCliArgs(['--lambda-port', '9001']);
    expect(cmd).toEqual({ kind: 'serve', flags: { lambdaPort: 9001 } });
    expect(() => parseCliArgs(['--lambda-port', 'x'])).toThrow('--lambda-port: expected a port number 0-65535, got "x"');
    const c = await loadConfig({ object: config({ port: 7000 }), baseDir: BASE, flags: { lambdaPort: 9001 } });
    expect(c.lambda?.port).toBe(9001);
    const f = await loadConfig({ object: config(undefined), baseDir: BASE, flags: { lambdaPort: 0 } });
    expect(f.lambda?.port).toBe(0);
  });

  it('resolves per-function settings; sinkDir is relative to the config', async () => {
    const c = await loadConfig({
      object: config({
        timeScale: 0.01,
        legacyAsyncLimit: true,
        sinkDir: 'out',
        functions: { echo: { timeout: 600, maximumRetryAttempts: 1, maximumEventAgeInSeconds: 120, deadLetterQueue: 'arn:aws:sqs:us-east-1:123456789012:q', destinations: { onFailure: 'arn:aws:events:us-east-1:123456789012:event-bus/default' } } },
      }),
      baseDir: BASE,
    });
    expect(c.lambda?.asyncPayloadLimit).toBe(262_144);
    expect(c.lambda?.sinkDir).toBe(path.join(BASE, 'out'));
    expect(c.lambda?.functions.get('echo')).toEqual({
      timeoutMs: 600_000,
      maximumRetryAttempts: 1,
      maximumEventAgeSeconds: 120,
      onSuccess: undefined,
      onFailure: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
      deadLetterQueue: 'arn:aws:sqs:us-east-1:123456789012:q',
    });
  });

  it('names each problem by its path', async () => {
    const m = await problem(
      loadConfig({
        object: config({
          timeScale: 2,
          functions: {
            nope: {},
            echo: { maximumRetryAttempts: 3, deadLetterQueue: 'arn:aws:events:us-east-1:123456789012:event-bus/x' },
          },
        }),
        baseDir: BASE,
      }),
    );
    expect(m).toContain('config: lambda.timeScale: must be at most 1 (1 = real timing)');
    expect(m).toContain('config: lambda.functions.echo.maximumRetryAttempts: must be between 0 and 2');
    const m2 = await problem(
      loadConfig({ object: config({ functions: { nope: {}, echo: { deadLetterQueue: 'arn:aws:events:us-east-1:123456789012:event-bus/x', destinations: { onSuccess: 'arn:aws:lambda:us-east-1:123456789012:function:ghost' } } } }), baseDir: BASE }),
    );
    expect(m2).toContain('config: lambda.functions.nope: unknown function id "nope" (defined: "echo")');
    expect(m2).toContain('config: lambda.functions.echo.deadLetterQueue: must be the ARN of an SQS queue, or an SNS topic, got "arn:aws:events:us-east-1:123456789012:event-bus/x"');
    expect(m2).toContain('config: lambda.functions.echo.destinations.onSuccess: the destination function "ghost" is not defined in functions[]');
    const m3 = await problem(loadConfig({ object: config({ timescale: 1 }), baseDir: BASE }));
    expect(m3).toContain('lambda.timescale: unknown field (did you mean "timeScale"?)');
  });
});
