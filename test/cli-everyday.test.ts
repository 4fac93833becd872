// The built CLI in front of a dev-server-like origin: policy flags, the start lines (banner, one line
// per behavior, the unkeyed-query-string warning, the $LATEST note), --cache-status, JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';
import { loadConfig } from '../src/config/load.js';
import { send, startOrigin, type TestOrigin } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

interface Cli {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

const running: ChildProcess[] = [];
let origin: TestOrigin;
let dir: string;

/** Starts the CLI and waits for its last banner line (text "Ctrl-C to stop", or JSON event "ready"). */
async function startCli(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const deadline = Date.now() + 20_000;
  while (!/Ctrl-C to stop/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  // The warning goes out right after the banner, on stderr: give it a moment.
  await new Promise((r) => setTimeout(r, 100));
  const url = /edgeproxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  if (url === undefined) throw new Error(`the CLI did not start; stdout: ${out}\nstderr: ${err}`);
  return { url, child, stdout: () => out, stderr: () => err };
}

async function stop(c: Cli): Promise<void> {
  if (c.child.exitCode !== null) return;
  const exited = once(c.child, 'exit');
  c.child.kill('SIGTERM');
  const guard = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(guard);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-everyday-'));
  await writeFile(path.join(dir, 'pass.js'), 'exports.handler = async (e) => e.Records[0].cf.request;\n');
  // Like a dev server: the answer depends on the query string, and no Cache-Control is sent.
  origin = await startOrigin((req, res) => {
    const body = `answer for ${req.url ?? ''}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
afterEach(async () => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

describe('policy flags (parseCliArgs)', () => {
  it('takes managed names, the Managed- prefix, and none for no origin request policy', () => {
    expect(parseCliArgs(['--origin', 'http://x:3000', '--cache-policy', 'CachingDisabled', '--origin-request-policy', 'none', '--cache-status'])).toEqual({
      kind: 'serve',
      flags: { origin: 'http://x:3000', cachePolicy: 'CachingDisabled', originRequestPolicy: null, cacheStatus: true },
    });
    expect(parseCliArgs(['--cache-policy', 'Managed-UseOriginCacheControlHeaders-QueryStrings', '--origin-request-policy', 'AllViewer'])).toMatchObject({
      flags: { cachePolicy: 'UseOriginCacheControlHeaders-QueryStrings', originRequestPolicy: 'AllViewer' },
    });
  });

  it('says "did you mean" for a misspelt policy name and lists the known ones', () => {
    expect(() => parseCliArgs(['--cache-policy', 'CachingOptimised'])).toThrow(
      /^--cache-policy: unknown managed cache policy "CachingOptimised" \(did you mean "CachingOptimized"\?\); known: CachingOptimized, .*CachingDisabled/,
    );
    expect(() => parseCliArgs(['--cache-policy', 'cachingdisabled'])).toThrow(/did you mean "CachingDisabled"\?/);
    expect(() => parseCliArgs(['--origin-request-policy', 'AllViewerExceptHost'])).toThrow(
      /^--origin-request-policy: unknown managed origin request policy "AllViewerExceptHost" \(did you mean "AllViewerExceptHostHeader"\?\)/,
    );
    expect(() => parseCliArgs(['--origin-request-policy', 'nnoe'])).toThrow(/did you mean "none"\?/);
    expect(() => parseCliArgs(['--cache-policy', 'Fastest'])).toThrow(/^--cache-policy: unknown managed cache policy "Fastest"; known: /);
  });

  it('says "did you mean" for a misspelt flag', () => {
    expect(() => parseCliArgs(['--cache-polcy', 'x'])).toThrow('--cache-polcy: unknown option (did you mean "--cache-policy"?) (see edgeproxy --help)');
    expect(() => parseCliArgs(['--orign', 'x'])).toThrow('--orign: unknown option (did you mean "--origin"?)');
    expect(() => parseCliArgs(['invalidate', '--amdin', 'x', '/a'])).toThrow('--amdin: unknown option (did you mean "--admin"?)');
  });

  it('policy flags shape the flags-only behavior; with a config they are usage errors naming the flag', async () => {
    const c = await loadConfig({ flags: { origin: 'http://127.0.0.1:3000', cachePolicy: 'CachingDisabled', originRequestPolicy: null } });
    expect(c.behaviors[0]?.cachePolicy.name).toBe('CachingDisabled');
    expect(c.behaviors[0]?.originRequestPolicy).toBeUndefined();
    await expect(loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }] }, flags: { cachePolicy: 'CachingDisabled' } })).rejects.toThrow(
      '--cache-policy: cannot be combined with a config file; set "cachePolicy" on the config file\'s behaviors',
    );
    await expect(loadConfig({ flags: { cachePolicy: 'CachingDisabled' } })).rejects.toThrow(/^--origin: required/);
    await expect(loadConfig({ flags: { origin: 'http://127.0.0.1:3000', cachePolicy: 'Nope' } })).rejects.toThrow(/^--cache-policy: unknown managed cache policy "Nope"/);
  });
});

describe('edgeproxy in front of a dev server (built CLI)', () => {
  it('default policies: the banner names them, the warning says query strings are unkeyed, and they are', async () => {
    const c = await startCli(['--origin', origin.url]);
    try {
      const lines = c.stdout().trimEnd().split('\n');
      expect(lines).toEqual([
        `edgeproxy listening on ${c.url}`,
        `  * → origin ${origin.url} · cache CachingOptimized (query strings not in key, 24 h default TTL, min 1 s) · origin request AllViewerExceptHostHeader`,
        'Ctrl-C to stop',
      ]);
      const warnings = c.stderr().trimEnd().split('\n');
      expect(warnings).toEqual([
        'edgeproxy: the origin gets query strings the cache key leaves out, on behavior "*" (cache CachingOptimized, origin request AllViewerExceptHostHeader): ' +
          '/app.js?v=1 and /app.js?v=2 share one cached answer; behind a dev server use --cache-policy CachingDisabled, or --cache-policy ' +
          'UseOriginCacheControlHeaders-QueryStrings to key them (see README "Behind a dev server")',
      ]);
      // What the warning says: the second URL gets the first one's answer.
      expect((await send(c.url, '/note.txt?import&url')).text).toBe('answer for /note.txt?import&url');
      const second = await send(c.url, '/note.txt?import&raw');
      expect(second.headers['x-cache']).toBe('Hit from cloudfront');
      expect(second.text).toBe('answer for /note.txt?import&url');
    } finally {
      await stop(c);
    }
  }, 40_000);

  it('--cache-policy CachingDisabled: no warning, every query string reaches the origin', async () => {
    const c = await startCli(['--origin', origin.url, '--cache-policy', 'CachingDisabled']);
    try {
      expect(c.stdout()).toContain(`  * → origin ${origin.url} · cache CachingDisabled (nothing cached) · origin request AllViewerExceptHostHeader\n`);
      expect((await send(c.url, '/note.txt?import&url')).text).toBe('answer for /note.txt?import&url');
      expect((await send(c.url, '/note.txt?import&raw')).text).toBe('answer for /note.txt?import&raw');
    } finally {
      await stop(c);
    }
    expect(c.stderr()).not.toMatch(/query strings the cache key leaves out/);
  }, 40_000);

  it('--cache-policy UseOriginCacheControlHeaders-QueryStrings keys them: no warning', async () => {
    const c = await startCli(['--origin', origin.url, '--cache-policy', 'UseOriginCacheControlHeaders-QueryStrings', '--origin-request-policy', 'none']);
    try {
      expect(c.stdout()).toContain(
        "· cache UseOriginCacheControlHeaders-QueryStrings (query strings in key, cached only as the origin's Cache-Control says) · origin request none (the origin gets what the cache key holds)",
      );
    } finally {
      await stop(c);
    }
    expect(c.stderr()).not.toMatch(/query strings the cache key leaves out/);
  }, 40_000);

  it('--cache-status adds Cache-Status with the cache key, so "why was ?v=2 a hit" has an answer', async () => {
    const c = await startCli(['--origin', origin.url, '--cache-status']);
    try {
      const first = await send(c.url, '/app.js?v=1', { headers: { 'accept-encoding': 'gzip' } });
      expect(first.headers['cache-status']).toBe('edgeproxy; fwd=miss; fwd-status=200; stored; key="/app.js ae=gzip"; detail=default-ttl');
      const second = await send(c.url, '/app.js?v=2', { headers: { 'accept-encoding': 'gzip' } });
      expect(second.headers['cache-status']).toMatch(/^edgeproxy; hit; ttl=\d+; key="\/app\.js ae=gzip"(; detail=[\w-]+)?$/);
    } finally {
      await stop(c);
    }
  }, 40_000);

  it('the $LATEST note is one info line in total, and --log-level warn drops it', async () => {
    const c = await startCli(['--origin', origin.url, '--viewer-request', 'pass.js', '--viewer-response', 'pass.js', '--cache-policy', 'CachingDisabled']);
    const notes = c.stdout().split('\n').filter((l) => l.includes('$LATEST'));
    await stop(c);
    expect(notes).toEqual([
      'edgeproxy: note: "pass.js:viewer-request", "pass.js:viewer-response" run at $LATEST or through an alias, which CloudFront does not accept in an association ' +
        '(2 associations); fine locally; to rehearse a deployment, publish a version (edgeproxy publish pass.js:viewer-request) and associate "pass.js:viewer-request:1" in a config file (docs/versions.md)',
    ]);
    expect(c.stderr()).not.toContain('$LATEST');
    const quiet = await startCli(['--origin', origin.url, '--viewer-request', 'pass.js', '--log-level', 'warn', '--cache-policy', 'CachingDisabled']);
    await stop(quiet);
    expect(quiet.stdout() + quiet.stderr()).not.toContain('$LATEST');
  }, 60_000);

  it('--log-format json: every line is JSON, the banner included', async () => {
    const c = await startCliJson(['--origin', origin.url, '--log-format', 'json', '--viewer-request', 'pass.js', '--admin-port', '0']);
    await send(c.url, '/x?y=1');
    await stop(c);
    const lines = `${c.stdout()}${c.stderr()}`.trimEnd().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = parsed.filter((o) => o.type === 'start').map((o) => o.event);
    expect(start).toEqual(expect.arrayContaining(['listening', 'behavior', 'admin', 'ready', 'unkeyed-query-strings', 'unversioned']));
    expect(parsed.find((o) => o.event === 'behavior')).toMatchObject({ pathPattern: '*', origin: origin.url, cachePolicy: 'CachingOptimized', originRequestPolicy: 'AllViewerExceptHostHeader' });
    expect(parsed.some((o) => o.type === 'stop' && o.signal === 'SIGTERM')).toBe(true);
  }, 40_000);

  it('--log-format json: a command-line error is JSON too', async () => {
    const child = spawn(process.execPath, [CLI, '--log-format', 'json', '--cache-policy', 'Nope'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(JSON.parse(err.trim())).toMatchObject({ level: 'error', type: 'config', code: 'UsageError', message: expect.stringMatching(/^--cache-policy: unknown managed cache policy "Nope"/) });
  }, 20_000);
});

/** As startCli, for JSON output: waits for the `ready` event line. */
async function startCliJson(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const deadline = Date.now() + 20_000;
  while (!/"event":"ready"/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 100));
  const m = /"event":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
  if (m?.[1] === undefined) throw new Error(`the CLI did not start; stdout: ${out}\nstderr: ${err}`);
  return { url: m[1], child, stdout: () => out, stderr: () => err };
}

describe('a function that fails to load in flags mode (built CLI)', () => {
  it('is named by its flag, not functions[0]', async () => {
    await writeFile(path.join(dir, 'noexport.js'), 'exports.other = 1;\n');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--origin', origin.url, '--origin-response', 'noexport.js', '--log-level', 'warn'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(err.trimEnd().split('\n')).toEqual(['edgeproxy: --origin-response: noexport.js has no export "handler" (exports: other)']);
  }, 20_000);
});
