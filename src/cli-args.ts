// argv → a command. Pure: never prints, never exits (cli.ts does both), so it is testable in-process.

import { parseArgs } from 'node:util';
import { ConfigError } from './config/errors.js';
import type { FlagOverrides } from './config/load.js';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES } from './config/managed-policies.js';
import { parseByteSize } from './config/schema.js';
import { didYouMean, unknownName } from './suggest.js';
import { type DistributionFlags, IMPORT_HELP, IMPORT_OPTIONS, parseConfigCommand, readDistributionFlags } from './import/cli-args.js';
import { type EventCommand, parseEventCommand } from './cli/event.js';
import { type InvokeCommand, parseInvokeCommand } from './cli/invoke.js';

export type CliCommand =
  | { kind: 'help'; topic?: Subcommand }
  | { kind: 'version' }
  | { kind: 'serve'; configFile?: string; distribution?: DistributionFlags; flags: FlagOverrides }
  | { kind: 'config'; action: 'print' | 'to-distribution'; configFile?: string; distribution?: DistributionFlags; policyOut?: string }
  | { kind: 'invalidate'; admin: string; paths: string[]; json: boolean; callerReference?: string }
  | { kind: 'publish'; admin: string; functionName: string; json: boolean }
  | {
      kind: 'test-function';
      file: string;
      eventFile: string;
      runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | undefined;
      kvsFile?: string;
      nowMs?: number;
      stage: 'DEVELOPMENT' | 'LIVE';
      strict: boolean;
    }
  | EventCommand
  | InvokeCommand;

/** Words that select a command other than serving; any other first word is an error, as before. */
const SUBCOMMANDS = ['invalidate', 'publish', 'config', 'test-function', 'event', 'invoke'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Where `invalidate`/`publish` find the admin listener when neither --admin nor EDGEPROXY_ADMIN says. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9901';

export const HELP_TEXT = `edgeproxy: a local Amazon CloudFront + Lambda@Edge emulator

Usage:
  edgeproxy                                   run the built-in demo (demo site + four example functions)
  edgeproxy --config edgeproxy.config.json    run the distribution described in a config file
  edgeproxy --origin http://127.0.0.1:3000 --viewer-request functions/auth.js
  edgeproxy invalidate [--admin URL] PATH...  remove cached objects from a running edgeproxy
  edgeproxy publish FUNCTION [--admin URL]    publish a function's $LATEST code as a numbered version
  edgeproxy test-function FILE --event EVENT  run a CloudFront Function once on EVENT and print what
                                              aws cloudfront test-function prints (edgeproxy test-function --help)
  edgeproxy event TRIGGER [--uri PATH ...]    print the Lambda@Edge event the proxy would build (edgeproxy event --help)
  edgeproxy invoke FILE --trigger TRIGGER     run a function once as the proxy does: result, diff, verdict,
                                              START/END/REPORT (edgeproxy invoke --help; docs/testing.md)

Commands (talk to a running edgeproxy's admin listener; see docs/admin.md):
  invalidate PATH...          CloudFront invalidation: "/index.html", "/images/*" (quote wildcards so
                              the shell leaves them alone); prints what was removed
  publish FUNCTION            snapshot FUNCTION's current code as version 1, 2, ... (unchanged code
                              makes no new version)
  --admin URL                 the admin listener (default: $EDGEPROXY_ADMIN, else ${DEFAULT_ADMIN_URL})
  --json                      print the admin listener's JSON answer instead of text
  edgeproxy invalidate --help, edgeproxy publish --help for details

Options:
  --config FILE               config file (.json, .mjs, .js, .cjs); see docs/config.md
${IMPORT_HELP}  --origin URL                origin server (http:// or https://, optional path); with --config it
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
  --cff                       the --viewer-request / --viewer-response files are CloudFront Functions
                              (runtime cloudfront-js-2.0; a first line "// cloudfront-js-1.0" picks
                              1.0, and such a line alone makes a file a CloudFront Function)
  --kvs FILE                  a key value store (CloudFront's import format) for those functions
  --strict-cff                CloudFront Functions' feature warnings are load errors
  --admin-port N              start the admin listener on 127.0.0.1:N (cache listing, invalidations,
                              metrics; 0 picks a free port)
  --lambda-port N             start the Lambda Invoke API on 127.0.0.1:N, for @aws-sdk/client-lambda
                              and "aws lambda invoke --endpoint-url" (docs/lambda-api.md; 0 picks a
                              free port)
  --cache-policy NAME         the behavior's managed cache policy (default CachingOptimized: query
                              strings not in the cache key, 24 h default TTL); behind a dev server
                              use CachingDisabled; see README "Behind a dev server"
  --origin-request-policy NAME|none
                              the managed origin request policy (default AllViewerExceptHostHeader:
                              all query strings, cookies and headers but Host go to the origin)
                              (both: flags mode only; with --config set them on the behaviors)
  --cache-status              add an RFC 9211 Cache-Status header (hit/miss, TTL left, cache key)
  --cache-size SIZE           cache bound in bytes, headers counted (default 256MiB; "512MiB", "1GB")
  --prewarm                   start one worker per function at boot
  --inspector                 capture every request for the inspector page (admin listener's
                              /inspector/; starts it on 127.0.0.1:9901 or the next free port)
  --inspector-headers         add X-Edgeproxy-Executed-Version, Server-Timing and, on an error
                              page, X-Edgeproxy-Error (the exact reason) to responses
  --log-format text|json      log lines for people (default) or one JSON object per line
  --log-level info|warn|error drop lines below this level; warn silences the per-invocation
                              START/END/REPORT and function console lines (for load tests)
  --access-log FILE           append a CloudFront standard-log line per viewer request to FILE
  -h, --help                  show this help
  -v, --version               show the version

Environment:
  EDGEPROXY_DEBUG=1           print stack traces for startup errors
  EDGEPROXY_ADMIN=URL         admin listener for invalidate/publish when --admin is not given

Exit status: 0 after a clean shutdown (Ctrl-C), 2 for a configuration or command-line error,
1 for any other startup failure. invalidate/publish: 0 done, 2 refused input, 1 admin unreachable.
`;

const ADMIN_OPTIONS_HELP = `Options:
  --admin URL                 the admin listener: http://HOST:PORT, HOST:PORT or PORT (on 127.0.0.1);
                              default $EDGEPROXY_ADMIN, else ${DEFAULT_ADMIN_URL} (start edgeproxy with
                              --admin-port 9901 to match)
  --json                      print the admin listener's JSON answer instead of text`;

export const INVALIDATE_HELP = `edgeproxy invalidate: remove objects from a running edgeproxy's cache (CloudFront invalidation)

Usage:
  edgeproxy invalidate [--admin URL] [--caller-reference REF] PATH...

  edgeproxy invalidate '/images/*' /index.html
  edgeproxy invalidate --admin http://127.0.0.1:9901 '/img.jpg?w=1' '/api*'

Paths follow CloudFront's rules: they start with "/", are case-sensitive, may end with one "*"
(prefix match, query strings included), and characters outside printable ASCII must be
percent-encoded. Quote paths with "*" so the shell does not expand them. One bad path rejects the
whole request and nothing is removed. At most 3,000 file paths and 15 wildcard paths per request.

${ADMIN_OPTIONS_HELP}
  --caller-reference REF      CloudFront's idempotency token: repeating a request with the same REF
                              and paths removes nothing again
  -h, --help                  show this help

Prints "invalidated N objects" and the cache key of each removed object.
Exit status: 0 done, 2 a bad path or usage, 1 the admin listener could not be reached or failed.
`;

export const PUBLISH_HELP = `edgeproxy publish: publish a function's $LATEST code as an immutable numbered version

Usage:
  edgeproxy publish [--admin URL] FUNCTION

FUNCTION is a function id from the running distribution's config. Versions are numbered 1, 2, ...;
publishing code that has not changed since the last version makes no new version. Associations may
then name FUNCTION:N.

${ADMIN_OPTIONS_HELP}
  -h, --help                  show this help

Prints "published FUNCTION version N", or "FUNCTION: code unchanged since version N, no new version".
Exit status: 0 done, 2 an unknown function or usage error, 1 the admin listener could not be reached
or failed.
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
  cff: { type: 'boolean' },
  kvs: { type: 'string' },
  'strict-cff': { type: 'boolean' },
  'admin-port': { type: 'string' },
  'lambda-port': { type: 'string' },
  'cache-size': { type: 'string' },
  'cache-policy': { type: 'string' },
  'origin-request-policy': { type: 'string' },
  'cache-status': { type: 'boolean' },
  prewarm: { type: 'boolean' },
  inspector: { type: 'boolean' },
  'inspector-headers': { type: 'boolean' },
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
  'access-log': { type: 'string' },
  ...IMPORT_OPTIONS,
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function portValue(flag: string, value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new ConfigError('UsageError', `${flag}: expected a port number 0-65535, got "${value}"`);
  return n;
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new ConfigError('UsageError', `${flag}: must not be empty`);
  return value;
}

/** A managed policy name as CloudFront spells it (`Managed-` prefix allowed), or a usage error with "did you mean". */
function managedName(flag: string, what: string, value: string, known: readonly string[]): string {
  const name = value.startsWith('Managed-') ? value.slice('Managed-'.length) : value;
  if (known.includes(name) && name !== 'none') return name;
  throw new ConfigError('UsageError', `${flag}: ${unknownName(`managed ${what}`, value, known, name)}`);
}

/** Node's parseArgs errors are TypeErrors with a code; restate them as one line naming the flag. */
function restate(e: unknown, known: readonly string[], help = 'edgeproxy --help'): ConfigError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = quoted.replace(/^-+/, '').split('=')[0] ?? '';
      const hint = name.length > 1 ? didYouMean(name, known).replace(/"([^"]+)"/, (_m, k: string) => `"--${k}"`) : '';
      return new ConfigError('UsageError', `${quoted}: unknown option${hint} (see ${help})`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0] ?? quoted;
      if (/does not take an argument/.test(message)) return new ConfigError('UsageError', `${flag}: does not take a value`);
      // "argument missing", or "ambiguous" when the next word starts with `-` (use --port=-1 to pass one).
      return new ConfigError('UsageError', `${flag}: needs a value`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new ConfigError('UsageError', `${quoted}: unexpected argument; options start with -- (see ${help})`);
    default:
      return new ConfigError('UsageError', message);
  }
}

/**
 * `--admin` value → base URL. Accepts `http(s)://host:port[/base]`, `host:port` and a bare port (on
 * 127.0.0.1, where the admin listener binds by default).
 */
export function adminUrl(flag: string, value: string): string {
  const v = value.trim();
  const withScheme = /^\d{1,5}$/.test(v) ? `http://127.0.0.1:${v}` : /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ConfigError('UsageError', `${flag}: expected the admin listener's URL like ${DEFAULT_ADMIN_URL}, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError('UsageError', `${flag}: expected an http:// URL like ${DEFAULT_ADMIN_URL}, got "${value}"`);
  }
  if (u.search !== '' || u.hash !== '') throw new ConfigError('UsageError', `${flag}: expected a URL without query or fragment, got "${value}"`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

const ADMIN_CLIENT_OPTIONS = {
  admin: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const INVALIDATE_OPTIONS = { ...ADMIN_CLIENT_OPTIONS, 'caller-reference': { type: 'string' } } as const;

type Env = Readonly<Record<string, string | undefined>>;

function resolveAdmin(flagValue: string | undefined, env: Env): string {
  if (flagValue !== undefined) return adminUrl('--admin', flagValue);
  const fromEnv = env.EDGEPROXY_ADMIN;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return adminUrl('EDGEPROXY_ADMIN', fromEnv);
  return DEFAULT_ADMIN_URL;
}

export const TEST_FUNCTION_HELP = `edgeproxy test-function FILE --event EVENT.json [options]

Runs the CloudFront Function in FILE once on the event in EVENT.json (CloudFront Functions' event shape;
missing context fields and collections are filled in) and prints the JSON \`aws cloudfront test-function\`
prints — TestResult with FunctionOutput, FunctionExecutionLogs, FunctionErrorMessage, ComputeUtilization —
plus Extensions.edgeproxy: whether CloudFront would accept the result, origin helper calls, KVS reads.

  --event FILE          the test event (required)
  --runtime 1.0|2.0     cloudfront-js-1.0 or cloudfront-js-2.0 (default: FILE's first-line runtime
                        comment, else 2.0)
  --kvs FILE            a key value store for the function (CloudFront's import format)
  --now ISO             what Date.now() returns in the run, e.g. 2026-01-05T10:00:00Z
  --stage DEVELOPMENT|LIVE
  --strict-cff          the feature check's warnings are errors
`;

const TEST_FUNCTION_OPTIONS = {
  event: { type: 'string' },
  runtime: { type: 'string' },
  kvs: { type: 'string' },
  now: { type: 'string' },
  stage: { type: 'string' },
  'strict-cff': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseTestFunction(rest: string[]): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof TEST_FUNCTION_OPTIONS; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: rest, options: TEST_FUNCTION_OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'test-function' };
    throw restate(e, Object.keys(TEST_FUNCTION_OPTIONS), 'edgeproxy test-function --help');
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', topic: 'test-function' };
  const [file, ...extra] = positionals;
  if (file === undefined) throw new ConfigError('UsageError', 'test-function: give the function file, e.g. edgeproxy test-function functions/rewrite.js --event event.json');
  if (extra.length > 0) throw new ConfigError('UsageError', `test-function: one function at a time; unexpected ${JSON.stringify(extra[0])}`);
  if (values.event === undefined) throw new ConfigError('UsageError', '--event: required: the test event file (CloudFront Functions event JSON)');
  let runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | undefined;
  if (values.runtime !== undefined) {
    const r = values.runtime.replace(/^cloudfront-js-/, '');
    if (r !== '1.0' && r !== '2.0') throw new ConfigError('UsageError', `--runtime: expected 1.0 or 2.0 (cloudfront-js-1.0 / cloudfront-js-2.0), got "${values.runtime}"`);
    runtime = r === '1.0' ? 'cloudfront-js-1.0' : 'cloudfront-js-2.0';
  }
  const stage = values.stage ?? 'DEVELOPMENT';
  if (stage !== 'DEVELOPMENT' && stage !== 'LIVE') throw new ConfigError('UsageError', `--stage: expected DEVELOPMENT or LIVE, got "${stage}"`);
  const cmd: Extract<CliCommand, { kind: 'test-function' }> = { kind: 'test-function', file: nonEmpty('test-function', file), eventFile: nonEmpty('--event', values.event), runtime, stage, strict: values['strict-cff'] === true };
  if (values.kvs !== undefined) cmd.kvsFile = nonEmpty('--kvs', values.kvs);
  if (values.now !== undefined) {
    const t = Date.parse(values.now);
    if (Number.isNaN(t)) throw new ConfigError('UsageError', `--now: expected an ISO 8601 time like 2026-01-05T10:00:00Z, got "${values.now}"`);
    cmd.nowMs = t;
  }
  return cmd;
}

function parseSubcommand(sub: Exclude<Subcommand, 'config' | 'test-function' | 'event' | 'invoke'>, rest: string[], env: Env): CliCommand {
  const help = `edgeproxy ${sub} --help`;
  let parsed: { values: { admin?: string; json?: boolean; help?: boolean; 'caller-reference'?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: sub === 'invalidate' ? INVALIDATE_OPTIONS : ADMIN_CLIENT_OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: sub };
    throw restate(e, Object.keys(sub === 'invalidate' ? INVALIDATE_OPTIONS : ADMIN_CLIENT_OPTIONS), help);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', topic: sub };
  const admin = resolveAdmin(values.admin, env);
  const json = values.json === true;
  if (sub === 'invalidate') {
    if (positionals.length === 0) {
      throw new ConfigError('UsageError', `invalidate: give at least one path, e.g. edgeproxy invalidate '/images/*' /index.html (see ${help})`);
    }
    const cmd: CliCommand = { kind: 'invalidate', admin, paths: positionals, json };
    const ref = values['caller-reference'];
    if (ref !== undefined) cmd.callerReference = nonEmpty('--caller-reference', ref);
    return cmd;
  }
  const [functionName, ...extra] = positionals;
  if (functionName === undefined || functionName.trim() === '') throw new ConfigError('UsageError', `publish: give the function id to publish, e.g. edgeproxy publish auth (see ${help})`);
  if (extra.length > 0) throw new ConfigError('UsageError', `publish: one function at a time; unexpected ${JSON.stringify(extra[0])} (see ${help})`);
  return { kind: 'publish', admin, functionName, json };
}

/**
 * argv (without node and the script) → a command. The first word selects a subcommand
 * (`invalidate`, `publish`); anything else is the serve command's options. `env` supplies
 * EDGEPROXY_ADMIN (cli.ts passes process.env; the default keeps this function pure).
 */
export function parseCliArgs(argv: string[], env: Env = {}): CliCommand {
  const first = argv[0];
  const sub = SUBCOMMANDS.find((s) => s === first);
  if (sub === 'config') return parseConfigCommand(argv.slice(1));
  if (sub === 'test-function') return parseTestFunction(argv.slice(1));
  if (sub === 'event') return parseEventCommand(argv.slice(1));
  if (sub === 'invoke') return parseInvokeCommand(argv.slice(1));
  if (sub !== undefined) return parseSubcommand(sub, argv.slice(1), env);
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    // `edgeproxy --help --bogus` should still show help rather than an error.
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
    throw restate(e, Object.keys(OPTIONS));
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
  if (values.cff === true) flags.cff = true;
  if (values.kvs !== undefined) flags.kvs = nonEmpty('--kvs', values.kvs);
  if (values['strict-cff'] === true) flags.strictCff = true;

  const cmd: CliCommand = { kind: 'serve', flags };
  if (values.config !== undefined) cmd.configFile = nonEmpty('--config', values.config);
  const distribution = readDistributionFlags(values, cmd.configFile !== undefined);
  if (distribution !== undefined) cmd.distribution = distribution;
  if (values['admin-port'] !== undefined) flags.adminPort = portValue('--admin-port', values['admin-port']);
  if (values['lambda-port'] !== undefined) flags.lambdaPort = portValue('--lambda-port', values['lambda-port']);
  if (values['cache-size'] !== undefined) {
    const n = parseByteSize(values['cache-size']);
    if (n === undefined) throw new ConfigError('UsageError', `--cache-size: expected a size like 268435456, 256MiB or 1GB, got "${values['cache-size']}"`);
    flags.cacheSize = n;
  }
  const cp = values['cache-policy'];
  if (cp !== undefined) flags.cachePolicy = managedName('--cache-policy', 'cache policy', cp, [...MANAGED_CACHE_POLICIES.keys()]);
  const orp = values['origin-request-policy'];
  if (orp !== undefined) {
    flags.originRequestPolicy =
      orp === 'none' ? null : managedName('--origin-request-policy', 'origin request policy', orp, [...MANAGED_ORIGIN_REQUEST_POLICIES.keys(), 'none']);
  }
  if (values['cache-status'] === true) flags.cacheStatus = true;
  if (values.prewarm === true) flags.prewarm = true;
  if (values.inspector === true) flags.inspector = true;
  if (values['inspector-headers'] === true) flags.inspectorHeaders = true;
  const lf = values['log-format'];
  if (lf !== undefined) {
    if (lf !== 'text' && lf !== 'json') throw new ConfigError('UsageError', `--log-format: expected text or json, got "${lf}"`);
    flags.logFormat = lf;
  }
  const ll = values['log-level'];
  if (ll !== undefined) {
    if (ll !== 'info' && ll !== 'warn' && ll !== 'error') throw new ConfigError('UsageError', `--log-level: expected info, warn or error, got "${ll}"`);
    flags.logLevel = ll;
  }
  if (values['access-log'] !== undefined) flags.accessLog = nonEmpty('--access-log', values['access-log']);
  return cmd;
}

/** True when no option selects what to run, so the CLI starts the embedded demo. */
export function isDemoMode(cmd: Extract<CliCommand, { kind: 'serve' }>): boolean {
  const f = cmd.flags;
  return (
    cmd.configFile === undefined &&
    cmd.distribution === undefined &&
    f.origin === undefined &&
    !TRIGGERS.some((t) => f[t] !== undefined) &&
    f.includeBody !== true &&
    f.cachePolicy === undefined &&
    f.originRequestPolicy === undefined
  );
}
