#!/usr/bin/env node
// The `edgeproxy` command: argv → config → start → foreground until a signal; or `invalidate` /
// `publish`, which talk to a running edgeproxy's admin listener. The only module that prints usage or
// calls process.exit. Exit 2 = configuration/command-line error (before listening), 1 = any other
// startup failure, 0 = clean shutdown.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_APP_PREFIX, demoConfigInput } from './config/demo.js';
import { CONFIG_ERRORS, type ConfigErrorCode } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { HELP_TEXT, INVALIDATE_HELP, PUBLISH_HELP, TEST_FUNCTION_HELP, isDemoMode, parseCliArgs, type CliCommand } from './cli-args.js';
import type { ResolvedConfig } from './config/types.js';
import type { EdgeProxy } from './proxy.js';
import { CONFIG_HELP } from './import/cli-args.js';
import { EVENT_HELP } from './cli/event.js';
import { INVOKE_HELP } from './cli/invoke.js';
import { createLogger, type Logger } from './log.js';
import { behaviorLine, httpsLines, unkeyedQueryWarning } from './observe/start-lines.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

/**
 * The package root: the nearest folder above this module with edgeproxy's package.json. Works from
 * dist/src/cli.js (built) and src/cli.ts (run from source) alike.
 */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === 'edgeproxy') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the edgeproxy package root above the CLI module');
    dir = parent;
  }
}

function packageVersion(root: string): string {
  const parsed: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'version' in parsed ? String(parsed.version) : 'unknown';
}

function isConfigError(e: unknown): e is Error & { code?: unknown } {
  // By name as well as class: a ConfigError built in another module instance (or thread) keeps its name.
  return e instanceof Error && e.name === 'ConfigError';
}

/**
 * The CLI's own lines (banner, shutdown, startup errors): text until the command line or config says
 * `--log-format json`, then one JSON object per line like every other line. Never filtered by level:
 * they are few, and the banner is how a person knows the proxy runs.
 */
let say: Logger = createLogger({ level: 'info' });

function fail(e: unknown): never {
  if (isConfigError(e)) {
    const code = typeof e.code === 'string' && Object.hasOwn(CONFIG_ERRORS, e.code) ? (e.code as ConfigErrorCode) : undefined;
    for (const line of e.message.split('\n')) say.error(`edgeproxy: ${line}`, { type: 'config', code: code ?? 'UsageError', message: line });
    process.exit(code === undefined ? EXIT_CONFIG : CONFIG_ERRORS[code].exitCode);
  }
  const msg = e instanceof Error ? e.message : String(e);
  say.error(`edgeproxy: failed to start: ${msg}`, { type: 'start', event: 'failed', message: `failed to start: ${msg}` });
  if (process.env.EDGEPROXY_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(EXIT_FAILURE);
}

interface Closable {
  close(): Promise<void>;
}

/** SIGINT/SIGTERM → close everything, exit 0; a second signal exits 1 at once. */
function stayInForeground(closables: Closable[]): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      say.warn(`edgeproxy: ${signal} again, exiting without waiting`, { type: 'stop', signal });
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    say.warn(`edgeproxy: ${signal}, shutting down (press Ctrl-C again to force)`, { type: 'stop', signal });
    Promise.all(closables.map((c) => c.close())).then(
      () => process.exit(EXIT_OK),
      (e: unknown) => {
        const msg = `error while shutting down: ${e instanceof Error ? e.message : String(e)}`;
        say.error(`edgeproxy: ${msg}`, { type: 'stop', message: msg });
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function demoHints(url: string, originUrl: string, inspectorUrl: string | undefined): string[] {
  return [
    `demo origin (demo/site) on ${originUrl}; example functions in functions/ (see functions/README.md)`,
    'try:',
    ...(inspectorUrl === undefined ? [] : [`  open ${inspectorUrl}   # the inspector: every request below, stage by stage, live`]),
    `  curl -i ${url}/old-blog/first-post/   # viewer-request redirect.js: 301 to /blog/first-post/`,
    `  curl -i ${url}/about                  # origin-request directory-index.js: serves /about/index.html`,
    `  curl -i ${url}/app/settings           # SPA route: the origin's 403 becomes /app/index.html, 200 (custom error response)`,
    `  curl -i ${url}/assets/style.css       # origin-response cache-control.js adds Cache-Control; repeat for X-Cache: Hit`,
    `  curl -I ${url}/                       # viewer-response security-headers.js adds Strict-Transport-Security & co.`,
  ];
}

/**
 * The start banner: where it listens, one line per behavior (origin, policies and what they mean,
 * functions), the admin listener, and how to stop; then the query-string warning when it applies.
 */
function banner(
  config: ResolvedConfig,
  proxy: { url: string; https: EdgeProxy['https']; adminUrl: string | undefined; inspectorUrl: string | undefined; lambdaUrl: string | undefined },
  opts: { demoOriginUrl: string | undefined; flagsMode: boolean; log: Logger },
): void {
  say.info(`edgeproxy listening on ${proxy.url}`, { type: 'start', event: 'listening', url: proxy.url });
  if (proxy.https !== undefined) {
    const [first, ...rest] = httpsLines(proxy.https, config.httpVersion);
    say.info(first ?? '', { type: 'start', event: 'listening-https', url: proxy.https.url });
    for (const line of rest) say.info(line, { type: 'start', event: 'https-certificate', certFile: proxy.https.selfSigned?.certFile ?? null });
  }
  for (const b of config.behaviors) {
    say.info(`  ${behaviorLine(config, b)}`, {
      type: 'start',
      event: 'behavior',
      pathPattern: b.pathPattern,
      origin: config.origins.get(b.originId)?.url ?? b.originId,
      cachePolicy: b.cachePolicy.name,
      originRequestPolicy: b.originRequestPolicy?.name ?? null,
      message: behaviorLine(config, b),
    });
  }
  if (proxy.adminUrl !== undefined) say.info(`admin listening on ${proxy.adminUrl}`, { type: 'start', event: 'admin', url: proxy.adminUrl });
  if (proxy.inspectorUrl !== undefined) say.info(`inspector on ${proxy.inspectorUrl}`, { type: 'start', event: 'inspector', url: proxy.inspectorUrl });
  if (proxy.lambdaUrl !== undefined && config.lambda !== undefined) {
    say.info(`lambda API listening on ${proxy.lambdaUrl}`, { type: 'start', event: 'lambda', url: proxy.lambdaUrl });
    // docs/lambda-api.md: what the SDK and the AWS CLI need, ready to paste.
    const region = config.lambda.region;
    say.info(`  AWS_ENDPOINT_URL_LAMBDA=${proxy.lambdaUrl} AWS_REGION=${region} AWS_DEFAULT_REGION=${region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x`, { type: 'start', event: 'lambda-env' });
  }
  if (config.inspectorHeaders) say.info('inspector headers on (X-Edgeproxy-Executed-Version, Server-Timing, X-Edgeproxy-Error, X-Edgeproxy-Stale-Code)', { type: 'start', event: 'inspector-headers' });
  if (opts.demoOriginUrl !== undefined) {
    for (const line of demoHints(proxy.url, opts.demoOriginUrl, proxy.inspectorUrl)) say.info(line, { type: 'start', event: 'demo' });
  }
  say.info('Ctrl-C to stop', { type: 'start', event: 'ready' });
  // The demo keys on the path on purpose (Miss → Hit on a second request) and takes no query strings.
  const warning = opts.demoOriginUrl === undefined ? unkeyedQueryWarning(config, opts.flagsMode) : undefined;
  if (warning !== undefined) opts.log.warn(warning, { type: 'start', event: 'unkeyed-query-strings' });
}

async function serve(cmd: Extract<CliCommand, { kind: 'serve' }>, root: string): Promise<void> {
  const closables: Closable[] = [];
  let listening = false;
  try {
    let demoOriginUrl: string | undefined;
    let config: ResolvedConfig;
    if (isDemoMode(cmd)) {
      const { startDemoOrigin } = await import('./demo/origin.js');
      const demo = await startDemoOrigin({ host: '127.0.0.1', port: 0, listDeniedPrefixes: [DEMO_APP_PREFIX] });
      closables.push(demo);
      demoOriginUrl = demo.url;
      // The demo shows the inspector (docs/inspector.md): capture is on.
      config = await loadConfig({ object: demoConfigInput(demo.url, root), baseDir: root, flags: { ...cmd.flags, inspector: true } });
    } else if (cmd.distribution !== undefined) {
      // docs/import.md: CloudFront's own configuration, mapped; what cannot be emulated is listed first.
      const { importFromFlags } = await import('./import/run.js');
      const imported = await importFromFlags(cmd.distribution);
      for (const line of imported.tableLines) say.warn(line, { type: 'start', event: 'not-emulated', message: line });
      config = await loadConfig({ object: imported.config, flags: cmd.flags });
    } else {
      config = await loadConfig(cmd.configFile === undefined ? { flags: cmd.flags } : { file: cmd.configFile, flags: cmd.flags });
    }
    say = createLogger({ format: config.log.format, level: 'info' });
    const log = createLogger({ format: config.log.format, level: config.log.level });
    // Loaded only now, so --help and config errors never pay for the proxy's module graph.
    const { startEdgeProxy } = await import('./index.js');
    // Hot reload of $LATEST functions is on for people at a terminal; versions live in ./.edgeproxy.
    const proxy = await startEdgeProxy({ config, log, watch: true, noteUnversioned: true, stateDir: path.join(process.cwd(), '.edgeproxy') });
    closables.unshift(proxy);
    listening = true;
    // The inspector is served by the admin listener (docs/inspector.md).
    const inspectorUrl = config.inspector.capture && proxy.adminUrl !== undefined ? `${proxy.adminUrl}/inspector/` : undefined;
    banner(config, { ...proxy, inspectorUrl }, { demoOriginUrl, flagsMode: cmd.configFile === undefined && demoOriginUrl === undefined, log });
    stayInForeground(closables);
  } catch (e) {
    if (!listening) await Promise.allSettled(closables.map((c) => c.close()));
    fail(e);
  }
}

/** Prints a subcommand's result and exits with its status (output flushed first when piped). */
function finish(r: { exitCode: number; stdout: string; stderr: string }): void {
  if (r.stdout !== '') process.stdout.write(r.stdout);
  if (r.stderr !== '') process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

async function main(argv: string[]): Promise<void> {
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(argv, process.env);
  } catch (e) {
    if (argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'))) say = createLogger({ format: 'json', level: 'info' });
    fail(e);
  }
  if (cmd.kind === 'serve' && cmd.flags.logFormat !== undefined) say = createLogger({ format: cmd.flags.logFormat, level: 'info' });
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(
        cmd.topic === 'invalidate' ? INVALIDATE_HELP : cmd.topic === 'publish' ? PUBLISH_HELP : cmd.topic === 'config' ? CONFIG_HELP : cmd.topic === 'test-function' ? TEST_FUNCTION_HELP : cmd.topic === 'event' ? EVENT_HELP : cmd.topic === 'invoke' ? INVOKE_HELP : HELP_TEXT,
      );
      return;
    case 'invalidate': {
      // Loaded only here: serving never pays for the admin client.
      const { runInvalidate } = await import('./admin/client.js');
      const o = { admin: cmd.admin, paths: cmd.paths, json: cmd.json };
      finish(await runInvalidate(cmd.callerReference === undefined ? o : { ...o, callerReference: cmd.callerReference }));
      return;
    }
    case 'publish': {
      const { runPublish } = await import('./admin/client.js');
      finish(await runPublish({ admin: cmd.admin, functionName: cmd.functionName, json: cmd.json }));
      return;
    }
    case 'test-function': {
      const { runTestFunction } = await import('./cff/test-function-cli.js');
      finish(await runTestFunction(cmd));
      return;
    }
    case 'event': {
      const { runEvent } = await import('./cli/event.js');
      finish(await runEvent(cmd));
      return;
    }
    case 'invoke': {
      const { runInvoke } = await import('./cli/invoke.js');
      finish(await runInvoke(cmd));
      return;
    }
    case 'config': {
      const { runConfigCommand } = await import('./import/run.js');
      finish(await runConfigCommand(cmd));
      return;
    }
    case 'version':
      process.stdout.write(`edgeproxy ${packageVersion(findProjectRoot())}\n`);
      return;
    case 'serve':
      await serve(cmd, findProjectRoot());
      return;
    default: {
      const impossible: never = cmd;
      throw new Error(`unknown command ${JSON.stringify(impossible)}`);
    }
  }
}

main(process.argv.slice(2)).catch(fail);
