// `edgeproxy invoke FILE[#export] --trigger TRIGGER`: runs a Lambda@Edge function once in a worker, as
// the proxy does (testing/invoke.ts), and prints its lines, its result, what it changed, CloudFront's
// verdict and what the viewer would get. Exit 0: the function succeeded with a result CloudFront
// accepts; 1: it failed or its result is invalid; 2: a usage or configuration error.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import type { EventType } from '../event/types.js';
import type { InvokeOptions, InvokeResult } from '../testing/types.js';
import { EVENT_OPTIONS_HELP, EVENT_PARSE_OPTIONS, eventOptionsFrom, triggerValue, usage } from './event.js';

export const INVOKE_HELP = `edgeproxy invoke FILE[#export] --trigger TRIGGER [options]

Runs the function once in a worker thread exactly as the proxy does (same runtime, limits and log
lines) on the event \`edgeproxy event\` would print (or --event FILE), and prints the START/END/REPORT
and console lines, the result, what it changed, CloudFront's verdict and what the viewer would get.
A CloudFront Function (a first-line runtime comment, or --cff) runs at viewer-request/-response in
the proxy's CloudFront Functions runtime, and the output adds aws cloudfront test-function's fields.

  --trigger TRIGGER           viewer-request, origin-request, origin-response or viewer-response
  --event FILE                use this event (JSON) instead of building one from the options below
  --timeout S                 seconds (default: 5 at viewer triggers, 30 at origin triggers)
  --memory MB                 the function's memory size (default 128)
  --json                      print the whole result as JSON
  --cff                       FILE is a CloudFront Function (without a \`// cloudfront-js-2.0\` first line)
  --now ISO                   CloudFront Functions: what Date.now() returns, e.g. 2026-01-05T10:00:00Z
${EVENT_OPTIONS_HELP}
  -h, --help                  show this help

Example: edgeproxy invoke functions/redirect.js --trigger viewer-request --uri /old-blog/first-post/
Exit status: 0 the function succeeded and CloudFront accepts its result, 1 it failed (an error, a
timeout) or its result is invalid (the viewer would get 502/503), 2 a usage or configuration error.
`;

const INVOKE_PARSE_OPTIONS = {
  ...EVENT_PARSE_OPTIONS,
  trigger: { type: 'string' },
  event: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  json: { type: 'boolean' },
  cff: { type: 'boolean' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface InvokeCommand {
  kind: 'invoke';
  file: string;
  trigger: EventType;
  eventFile: string | undefined;
  options: Omit<InvokeOptions, 'file' | 'trigger'>;
  json: boolean;
}

export function parseInvokeCommand(rest: string[]): InvokeCommand | { kind: 'help'; topic: 'invoke' } {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof INVOKE_PARSE_OPTIONS; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: rest, options: INVOKE_PARSE_OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'invoke' };
    throw usage(e, 'edgeproxy invoke --help');
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', topic: 'invoke' };
  const [file, ...extra] = positionals;
  if (file === undefined || file.trim() === '') throw new ConfigError('UsageError', 'invoke: give the function file, e.g. edgeproxy invoke functions/redirect.js --trigger viewer-request');
  if (extra.length > 0) throw new ConfigError('UsageError', `invoke: one function at a time; unexpected ${JSON.stringify(extra[0])}`);
  const trigger = triggerValue('--trigger', values.trigger);
  const options: InvokeCommand['options'] = eventOptionsFrom(values);
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!(s > 0 && s <= 900)) throw new ConfigError('UsageError', `--timeout: expected seconds (0 < S ≤ 900), got "${values.timeout}"`);
    options.timeout = s;
  }
  if (values.memory !== undefined) {
    const mb = /^\d+$/.test(values.memory) ? Number(values.memory) : NaN;
    if (!(mb >= 128 && mb <= 10240)) throw new ConfigError('UsageError', `--memory: expected MB 128-10240, got "${values.memory}"`);
    options.memorySize = mb;
  }
  if (values.cff === true) options.cff = true;
  if (values.now !== undefined) {
    const t = Date.parse(values.now);
    if (Number.isNaN(t)) throw new ConfigError('UsageError', `--now: expected an ISO 8601 time like 2026-01-05T10:00:00Z, got "${values.now}"`);
    options.nowMs = t;
  }
  return { kind: 'invoke', file, trigger, eventFile: values.event, options, json: values.json === true };
}

async function readEvent(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError('UsageError', `--event: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError('UsageError', `--event: ${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function section(title: string, body: string[]): string[] {
  return body.length === 0 ? [] : [`── ${title}`, ...body, ''];
}

/** The text report: logs, result, diff, verdict, viewer, duration and memory. */
function formatInvoke(r: InvokeResult, file: string, formatDiff: (d: InvokeResult['diff']) => string[]): string {
  const out: string[] = [`edgeproxy invoke ${file} at ${r.trigger}`, ''];
  out.push(...section('logs', r.logs));
  const shown = r.generated !== undefined ? { generated: r.generated } : r.result === undefined ? undefined : r.result;
  if (shown !== undefined) out.push(...section(r.generated !== undefined ? 'generated response' : 'result', JSON.stringify(shown, null, 2).split('\n')));
  if (r.generated === undefined && r.result !== undefined) out.push(...section('diff (what the function changed)', r.diff.length === 0 ? ['(nothing)'] : formatDiff(r.diff)));
  const verdict = r.ok
    ? 'valid: CloudFront accepts the result'
    : r.error?.code === 'LambdaValidationError'
      ? `invalid: CloudFront refuses the result${r.error.field === undefined ? '' : ` at ${r.error.field}`}`
      : `failed: ${r.error?.message ?? 'the function did not succeed'}`;
  out.push(...section('verdict', [verdict, r.viewer.summary, ...(r.cff?.warnings ?? []).map((w) => `note: ${w}`)]));
  if (r.cff !== undefined) {
    out.push(...section('aws cloudfront test-function fields', JSON.stringify(r.cff.testResult, null, 2).split('\n')));
    out.push(`duration ${r.durationMs.toFixed(3)} ms; ComputeUtilization ${r.cff.computeUtilization}`);
  } else {
    const cold = r.initDurationMs === undefined ? 'warm' : `cold start, init ${r.initDurationMs.toFixed(2)} ms`;
    out.push(`duration ${r.durationMs.toFixed(2)} ms (${cold}); memory ${r.memoryUsedMb ?? '?'} MB used of ${r.memorySizeMb} MB`);
  }
  return `${out.join('\n')}\n`;
}

export async function runInvoke(cmd: InvokeCommand): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const [{ Invoker }, { formatDiff }] = await Promise.all([import('../testing/invoke.js'), import('../testing/diff.js')]);
  const invoker = new Invoker();
  try {
    const o: InvokeOptions = { ...cmd.options, file: cmd.file, trigger: cmd.trigger };
    if (cmd.eventFile !== undefined) o.event = (await readEvent(cmd.eventFile)) as InvokeOptions['event'];
    const r = await invoker.invoke(o);
    const stdout = cmd.json ? `${JSON.stringify(r, null, 2)}\n` : formatInvoke(r, cmd.file, formatDiff);
    return { exitCode: r.ok ? 0 : 1, stdout, stderr: '' };
  } finally {
    await invoker.close();
  }
}
