#!/usr/bin/env node
// The `edgeproxy` command: argv → config → start → foreground until a signal; or `invalidate` /
// `publish`, which talk to a running edgeproxy's admin listener. The only module that prints usage or
// calls process.exit. Exit 2 = configuration/command-line error (before listening), 1 = any other
// startup failure, 0 = clean shutdown.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfigInput } from './config/demo.js';
import { CONFIG_ERRORS, type ConfigErrorCode } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { HELP_TEXT, INVALIDATE_HELP, PUBLISH_HELP, isDemoMode, parseCliArgs, type CliCommand } from './cli-args.js';

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

function fail(e: unknown): never {
  if (isConfigError(e)) {
    for (const line of e.message.split('\n')) process.stderr.write(`edgeproxy: ${line}\n`);
    const code = typeof e.code === 'string' && Object.hasOwn(CONFIG_ERRORS, e.code) ? (e.code as ConfigErrorCode) : undefined;
    process.exit(code === undefined ? EXIT_CONFIG : CONFIG_ERRORS[code].exitCode);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`edgeproxy: failed to start: ${msg}\n`);
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
      process.stderr.write(`edgeproxy: ${signal} again, exiting without waiting\n`);
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    process.stderr.write(`edgeproxy: ${signal}, shutting down (press Ctrl-C again to force)\n`);
    Promise.all(closables.map((c) => c.close())).then(
      () => process.exit(EXIT_OK),
      (e: unknown) => {
        process.stderr.write(`edgeproxy: error while shutting down: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function demoHints(url: string, originUrl: string): string {
  return [
    `demo origin (demo/site) on ${originUrl}; example functions in functions/ (see functions/README.md)`,
    'try:',
    `  curl -i ${url}/old-blog/first-post/   # viewer-request redirect.js: 301 to /blog/first-post/`,
    `  curl -i ${url}/about                  # origin-request directory-index.js: serves /about/index.html`,
    `  curl -i ${url}/app/settings           # SPA route: directory-index.js falls back to /app/index.html`,
    `  curl -i ${url}/assets/style.css       # origin-response cache-control.js adds Cache-Control; repeat for X-Cache: Hit`,
    `  curl -I ${url}/                       # viewer-response security-headers.js adds Strict-Transport-Security & co.`,
  ].join('\n');
}

async function serve(cmd: Extract<CliCommand, { kind: 'serve' }>, root: string): Promise<void> {
  const closables: Closable[] = [];
  let listening = false;
  try {
    let demoOriginUrl: string | undefined;
    let config;
    if (isDemoMode(cmd)) {
      const { startDemoOrigin } = await import('./demo/origin.js');
      const demo = await startDemoOrigin({ host: '127.0.0.1', port: 0 });
      closables.push(demo);
      demoOriginUrl = demo.url;
      config = await loadConfig({ object: demoConfigInput(demo.url, root), baseDir: root, flags: cmd.flags });
    } else {
      config = await loadConfig(cmd.configFile === undefined ? { flags: cmd.flags } : { file: cmd.configFile, flags: cmd.flags });
    }
    // Loaded only now, so --help and config errors never pay for the proxy's module graph.
    const { startEdgeProxy } = await import('./index.js');
    // Hot reload of $LATEST functions is on for people at a terminal; versions live in ./.edgeproxy.
    const proxy = await startEdgeProxy({ config, watch: true, stateDir: path.join(process.cwd(), '.edgeproxy') });
    closables.unshift(proxy);
    listening = true;
    process.stdout.write(`edgeproxy listening on ${proxy.url}\n`);
    if (proxy.adminUrl !== undefined) process.stdout.write(`admin listening on ${proxy.adminUrl}\n`);
    if (demoOriginUrl !== undefined) process.stdout.write(`${demoHints(proxy.url, demoOriginUrl)}\n`);
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
    fail(e);
  }
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(cmd.topic === 'invalidate' ? INVALIDATE_HELP : cmd.topic === 'publish' ? PUBLISH_HELP : HELP_TEXT);
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
