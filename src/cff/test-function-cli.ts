// `edgeproxy test-function FILE --event EVENT`: reads the files, runs testFunction(), prints the JSON.
// Loaded only for this command (cli.ts), so serving never pays for it.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliCommand } from '../cli-args.js';
import { ConfigError } from '../config/errors.js';
import { RUNTIME_COMMENT } from '../config/sources.js';
import { testFunction } from './test-function.js';

export async function runTestFunction(cmd: Extract<CliCommand, { kind: 'test-function' }>): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const file = path.resolve(cmd.file);
  let eventText: string;
  try {
    eventText = await readFile(path.resolve(cmd.eventFile), 'utf8');
  } catch (e) {
    throw new ConfigError('UsageError', `--event: cannot read ${cmd.eventFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch (e) {
    throw new ConfigError('UsageError', `--event: ${cmd.eventFile} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let runtime = cmd.runtime;
  if (runtime === undefined) {
    const first = (await readFile(file, 'utf8').catch(() => '')).split('\n', 1)[0] ?? '';
    const m = RUNTIME_COMMENT.exec(first)?.[1];
    runtime = m === 'cloudfront-js-1.0' ? 'cloudfront-js-1.0' : 'cloudfront-js-2.0';
  }
  const out = await testFunction({
    file,
    runtime,
    event,
    stage: cmd.stage,
    strict: cmd.strict,
    ...(cmd.kvsFile !== undefined ? { kvsFile: path.resolve(cmd.kvsFile) } : {}),
    ...(cmd.nowMs !== undefined ? { nowMs: cmd.nowMs } : {}),
  });
  return { exitCode: 0, stdout: `${JSON.stringify(out, null, 2)}\n`, stderr: '' };
}
