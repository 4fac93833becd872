// `edgeproxy event TRIGGER [options]`: prints the Lambda@Edge event the proxy would give TRIGGER's
// function for the request the options describe (testing/event.ts builds it with the proxy's own
// builders). The request options are shared with `edgeproxy invoke`. Parsing is pure (cli-args.ts);
// cli.ts prints and exits.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { EVENT_TYPES, type EventType } from '../event/types.js';
import { didYouMean } from '../suggest.js';
import type { EventOptions } from '../testing/types.js';

export const EVENT_OPTIONS_HELP = `Request (what the viewer sends):
  --uri PATH                  the path, optionally with ?query (default /)
  --method METHOD             default GET (POST with a body)
  --querystring QS            the query string, without "?"
  --header 'Name: value'      a viewer header line (repeatable); replaces the default of that name;
                              'Name:' alone drops it. Defaults: a browser's Host, User-Agent, Accept,
                              Accept-Encoding, Accept-Language
  --no-default-headers        only Host and the --header lines
  --client-ip IP              the viewer's address (default 203.0.113.10)
  --http-version 1.0|1.1|2.0  default 1.1
  --body TEXT | --body-file FILE
  --include-body              show the body in the event (viewer-request, origin-request)
Response (origin-response, viewer-response: what the origin answered):
  --status N                  default 200
  --response-header 'Name: value'  an origin header line (repeatable), over the defaults (Date,
                              Content-Type, Content-Length, ETag, Last-Modified)
  --age S                     viewer-response of a cache hit: its Age
Distribution:
  --config FILE               take the distribution, origins and policies from a config file
                              (origin events then carry its origin-side headers and origin.custom)
  --behavior PATTERN          the behavior by path pattern (default: the one --uri selects)
  --request-id ID             the event's requestId (default: a new one)`;

export const EVENT_HELP = `edgeproxy event TRIGGER [options]

Prints the Lambda@Edge event the proxy would give a TRIGGER function (viewer-request, origin-request,
origin-response, viewer-response) for the request below, built by the proxy's own code: the same
headers, policies, origin-side headers and origin.custom. Without --config, the distribution is
\`edgeproxy --origin http://127.0.0.1:3000\`'s.

${EVENT_OPTIONS_HELP}
  -h, --help                  show this help

Example: edgeproxy event origin-request --uri /about --header 'Cookie: session=1' > event.json
Exit status: 0 printed, 2 a usage or configuration error.
`;

export const EVENT_PARSE_OPTIONS = {
  uri: { type: 'string' },
  method: { type: 'string' },
  querystring: { type: 'string' },
  header: { type: 'string', multiple: true },
  'no-default-headers': { type: 'boolean' },
  'client-ip': { type: 'string' },
  'http-version': { type: 'string' },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  'include-body': { type: 'boolean' },
  status: { type: 'string' },
  'response-header': { type: 'string', multiple: true },
  age: { type: 'string' },
  config: { type: 'string' },
  behavior: { type: 'string' },
  'request-id': { type: 'string' },
} as const;

export interface EventCommand {
  kind: 'event';
  trigger: EventType;
  options: EventOptions;
}

type EventValues = {
  [K in keyof typeof EVENT_PARSE_OPTIONS]?: (typeof EVENT_PARSE_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof EVENT_PARSE_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string;
};

/** A trigger name, or a usage error with "did you mean". */
export function triggerValue(flag: string, value: string | undefined): EventType {
  if (value === undefined) throw new ConfigError('UsageError', `${flag}: give the trigger: ${EVENT_TYPES.join(', ')}`);
  const t = EVENT_TYPES.find((e) => e === value);
  if (t === undefined) throw new ConfigError('UsageError', `${flag}: unknown trigger "${value}"${didYouMean(value, EVENT_TYPES)}; expected ${EVENT_TYPES.join(', ')}`);
  return t;
}

/** `Name: value` lines → header pairs; `Name:` alone drops the default of that name. */
function headerLines(flag: string, lines: readonly string[] | undefined): Record<string, string[] | null> | undefined {
  if (lines === undefined) return undefined;
  const out: Record<string, string[] | null> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (colon === -1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ConfigError('UsageError', `${flag}: expected 'Name: value', got ${JSON.stringify(line)}`);
    const value = line.slice(colon + 1).trim();
    const key = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    if (value === '') {
      if (!Object.hasOwn(out, key)) out[key] = null;
      continue;
    }
    const list = out[key];
    if (list === undefined || list === null) out[key] = [value];
    else list.push(value);
  }
  return out;
}

function intValue(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new ConfigError('UsageError', `${flag}: expected a whole number ${min}-${max}, got "${value}"`);
  return n;
}

/** The request/response options shared by `event` and `invoke`. */
export function eventOptionsFrom(v: EventValues): EventOptions {
  const o: EventOptions = {};
  if (v.uri !== undefined) {
    if (!v.uri.startsWith('/')) throw new ConfigError('UsageError', `--uri: must start with "/", got "${v.uri}"`);
    o.uri = v.uri;
  }
  if (v.method !== undefined) {
    if (!/^[A-Za-z]+$/.test(v.method)) throw new ConfigError('UsageError', `--method: expected a method like GET or POST, got "${v.method}"`);
    o.method = v.method.toUpperCase();
  }
  if (v.querystring !== undefined) o.querystring = v.querystring.replace(/^\?/, '');
  const headers = headerLines('--header', v.header);
  if (headers !== undefined) o.headers = headers;
  if (v['no-default-headers'] === true) o.defaultHeaders = false;
  if (v['client-ip'] !== undefined) o.clientIp = v['client-ip'];
  const hv = v['http-version'];
  if (hv !== undefined) {
    if (hv !== '1.0' && hv !== '1.1' && hv !== '2.0') throw new ConfigError('UsageError', `--http-version: expected 1.0, 1.1 or 2.0, got "${hv}"`);
    o.httpVersion = hv;
  }
  if (v.body !== undefined && v['body-file'] !== undefined) throw new ConfigError('UsageError', '--body and --body-file: give one of them');
  if (v.body !== undefined) o.body = v.body;
  if (v['body-file'] !== undefined) {
    try {
      o.body = readFileSync(v['body-file']);
    } catch (e) {
      throw new ConfigError('UsageError', `--body-file: cannot read ${v['body-file']}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (v['include-body'] === true) o.includeBody = true;
  if (v.status !== undefined) o.status = intValue('--status', v.status, 100, 599);
  const rh = headerLines('--response-header', v['response-header']);
  if (rh !== undefined) o.responseHeaders = rh;
  if (v.age !== undefined) o.age = intValue('--age', v.age, 0, 31_536_000);
  if (v.config !== undefined) o.config = v.config;
  if (v.behavior !== undefined) o.behavior = v.behavior;
  if (v['request-id'] !== undefined) o.requestId = v['request-id'];
  return o;
}

/** Node's parseArgs error as one line naming the flag. */
export function usage(e: unknown, help: string): ConfigError {
  const message = e instanceof Error ? e.message : String(e);
  return new ConfigError('UsageError', `${message.split('\n')[0]} (see ${help})`);
}

export function parseEventCommand(rest: string[]): EventCommand | { kind: 'help'; topic: 'event' } {
  let parsed: { values: EventValues & { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...EVENT_PARSE_OPTIONS, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'event' };
    throw usage(e, 'edgeproxy event --help');
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', topic: 'event' };
  const [first, ...extra] = positionals;
  const trigger = triggerValue('event', first);
  if (extra.length > 0) throw new ConfigError('UsageError', `event: one trigger at a time; unexpected ${JSON.stringify(extra[0])}`);
  return { kind: 'event', trigger, options: eventOptionsFrom(values) };
}

/** Runs the command: the event as pretty JSON on stdout. */
export async function runEvent(cmd: EventCommand): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const { buildEvent } = await import('../testing/event.js');
  const event = await buildEvent(cmd.trigger, cmd.options);
  return { exitCode: 0, stdout: `${JSON.stringify(event, null, 2)}\n`, stderr: '' };
}
