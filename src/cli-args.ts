// argv → a command. Pure: never prints, never exits (cli.ts does both), so it is testable in-process.

import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import type { FlagOverrides } from './config/load.js';
import { parseByteSize } from './config/schema.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; configFile?: string; flags: FlagOverrides };

export const HELP_TEXT = `edgeproxy: a local Amazon CloudFront + Lambda@Edge emulator

Usage:
  edgeproxy                                   run the built-in demo (demo site + four example functions)
  edgeproxy --config edgeproxy.config.json    run the distribution described in a config file
  edgeproxy --origin http://127.0.0.1:3000 --viewer-request functions/auth.js

Options:
  --config FILE               config file (.json, .mjs, .js, .cjs); see docs/config.md
  --origin URL                origin server (http:// or https://, optional path); with --config it
                              replaces the URL of the first origin
  --port N                    port to listen on (default 8080; 0 picks a free port)
  --host H                    address to listen on (default 127.0.0.1)
  --viewer-request FILE[#export]   Lambda@Edge function for the viewer-request trigger
  --origin-request FILE[#export]   ... for origin-request
  --origin-response FILE[#export]  ... for origin-response
  --viewer-response FILE[#export]  ... for viewer-response
                              (export defaults to "handler"; files are relative to the current folder;
                              trigger flags build a one-behavior distribution and need --origin;
                              they cannot be combined with --config)
  --include-body              expose the request body to the viewer-request and origin-request
                              functions (Lambda@Edge "Include body")
  --admin-port N              start the admin listener on 127.0.0.1:N (cache listing, invalidations,
                              metrics; 0 picks a free port)
  --cache-size SIZE           cache bound in bytes, headers counted (default 256MiB; "512MiB", "1GB")
  --prewarm                   start one worker per function at boot
  --log-format text|json      log lines for people (default) or one JSON object per line
  --access-log FILE           append a CloudFront standard-log line per viewer request to FILE
  -h, --help                  show this help
  -v, --version               show the version

Environment:
  EDGEPROXY_DEBUG=1           print stack traces for startup errors

Exit status: 0 after a clean shutdown (Ctrl-C), 2 for a configuration or command-line error,
1 for any other startup failure.
`;

const TRIGGERS = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const;

const OPTIONS = {
  config: { type: 'string' },
  origin: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'viewer-request': { type: 'string' },
  'origin-request': { type: 'string' },
  'origin-response': { type: 'string' },
  'viewer-response': { type: 'string' },
  'include-body': { type: 'boolean' },
  'admin-port': { type: 'string' },
  'cache-size': { type: 'string' },
  prewarm: { type: 'boolean' },
  'log-format': { type: 'string' },
  'access-log': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function portValue(flag: string, value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new ConfigError(`${flag}: expected a port number 0-65535, got "${value}"`);
  return n;
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new ConfigError(`${flag}: must not be empty`);
  return value;
}

/** Node's parseArgs errors are TypeErrors with a code; restate them as one line naming the flag. */
function restate(e: unknown): ConfigError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new ConfigError(`${quoted}: unknown option (see edgeproxy --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0] ?? quoted;
      if (/does not take an argument/.test(message)) return new ConfigError(`${flag}: does not take a value`);
      // "argument missing", or "ambiguous" when the next word starts with `-` (use --port=-1 to pass one).
      return new ConfigError(`${flag}: needs a value`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new ConfigError(`${quoted}: unexpected argument; options start with -- (see edgeproxy --help)`);
    default:
      return new ConfigError(message);
  }
}

export function parseCliArgs(argv: string[]): CliCommand {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    // `edgeproxy --help --bogus` should still show help rather than an error.
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
    throw restate(e);
  }
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };

  const flags: FlagOverrides = {};
  if (values.origin !== undefined) flags.origin = nonEmpty('--origin', values.origin);
  if (values.port !== undefined) flags.port = portValue('--port', values.port);
  if (values.host !== undefined) flags.host = nonEmpty('--host', values.host);
  for (const t of TRIGGERS) {
    const v = values[t];
    if (v !== undefined) flags[t] = nonEmpty(`--${t}`, v);
  }
  if (values['include-body'] === true) flags.includeBody = true;

  const cmd: CliCommand = { kind: 'serve', flags };
  if (values.config !== undefined) cmd.configFile = nonEmpty('--config', values.config);
  if (values['admin-port'] !== undefined) flags.adminPort = portValue('--admin-port', values['admin-port']);
  if (values['cache-size'] !== undefined) {
    const n = parseByteSize(values['cache-size']);
    if (n === undefined) throw new ConfigError(`--cache-size: expected a size like 268435456, 256MiB or 1GB, got "${values['cache-size']}"`);
    flags.cacheSize = n;
  }
  if (values.prewarm === true) flags.prewarm = true;
  const lf = values['log-format'];
  if (lf !== undefined) {
    if (lf !== 'text' && lf !== 'json') throw new ConfigError(`--log-format: expected text or json, got "${lf}"`);
    flags.logFormat = lf;
  }
  if (values['access-log'] !== undefined) flags.accessLog = nonEmpty('--access-log', values['access-log']);
  return cmd;
}

/** True when no option selects what to run, so the CLI starts the embedded demo. */
export function isDemoMode(cmd: Extract<CliCommand, { kind: 'serve' }>): boolean {
  const f = cmd.flags;
  return cmd.configFile === undefined && f.origin === undefined && !TRIGGERS.some((t) => f[t] !== undefined) && f.includeBody !== true;
}
