// The built CLI as a user runs it: exit codes, one stderr line per config error, never listening.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP_TEXT, isDemoMode, parseCliArgs } from '../src/cli-args.js';
import { ConfigError } from '../src/config/errors.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout: 15_000, env: { ...process.env, EDGEPROXY_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit 2, exactly one stderr line, nothing listening. */
function expectConfigError(r: Run, line: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).not.toMatch(/listening/);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) before this test`);
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cli-'));
  await mkdir(path.join(dir, 'functions'));
  await writeFile(path.join(dir, 'functions', 'ok.js'), 'exports.handler = async (e) => e.Records[0].cf.request;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edgeproxy (built CLI)', () => {
  it('--help exits 0 and documents every flag', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--origin URL',
      '--port N',
      'default 8080',
      '--host H',
      'default 127.0.0.1',
      '--config FILE',
      '--viewer-request FILE[#export]',
      '--origin-request FILE[#export]',
      '--origin-response FILE[#export]',
      '--viewer-response FILE[#export]',
      '--include-body',
      '--help',
      '--version',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`edgeproxy ${pkg.version}`);
  });

  it('a bad flag value exits 2 naming the flag', async () => {
    expectConfigError(await run(['--port', 'abc']), 'edgeproxy: --port: expected a port number 0-65535, got "abc"');
  });

  it('an unknown flag exits 2', async () => {
    expectConfigError(await run(['--prot', '80']), 'edgeproxy: --prot: unknown option (did you mean "--port"?) (see edgeproxy --help)');
    expectConfigError(await run(['--zzzz']), 'edgeproxy: --zzzz: unknown option (see edgeproxy --help)');
  });

  it('a missing function file exits 2 naming the flag and the file', async () => {
    const r = await run(['--origin', 'http://127.0.0.1:3000', '--port', '0', '--viewer-request', 'functions/missing.js'], dir);
    expectConfigError(r, `edgeproxy: --viewer-request: file not found: ${path.join(dir, 'functions', 'missing.js')}`);
  });

  it('a function with a syntax error exits 2 naming the flag, the file and its line:column', async () => {
    await writeFile(path.join(dir, 'functions', 'broken.mjs'), 'export const handler = async (event) => {\n  return [event;\n};\n');
    const r = await run(['--origin', 'http://127.0.0.1:3000', '--port', '0', '--viewer-request', 'functions/broken.mjs'], dir);
    expectConfigError(r, `edgeproxy: --viewer-request: ${path.join('functions', 'broken.mjs')} failed to load: ${path.join('functions', 'broken.mjs')}:2:16: Expected "]" but found ";"`);
  });

  it('a config file with an unknown field exits 2 naming the field', async () => {
    const file = path.join(dir, 'typo.json');
    await writeFile(file, JSON.stringify({ origins: [{ id: 'app', url: 'http://127.0.0.1:3000', readTimout: 5 }] }));
    expectConfigError(await run(['--config', file, '--port', '0']), `edgeproxy: ${file}: origins[0].readTimout: unknown field (did you mean "readTimeout"?)`);
  });

  it('a config file whose function file is missing exits 2 naming the field', async () => {
    const file = path.join(dir, 'missing-fn.json');
    await writeFile(
      file,
      JSON.stringify({
        origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }],
        functions: [{ id: 'auth', file: 'functions/auth.js' }],
        behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'auth' } }],
      }),
    );
    expectConfigError(
      await run(['--config', file, '--port', '0']),
      `edgeproxy: ${file}: functions[0].file: file not found: ${path.join(dir, 'functions', 'auth.js')}`,
    );
  });

  it('a config with several problems prints one prefixed line each, exit 2', async () => {
    const file = path.join(dir, 'two.json');
    await writeFile(file, JSON.stringify({ origins: [{ id: 'app', url: 'ftp://x' }], behaviors: [{ pathPattern: '/a', origin: 'b' }] }));
    const r = await run(['--config', file, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `edgeproxy: ${file}: origins[0].url: must be an http:// or https:// URL, got "ftp://x"`,
      `edgeproxy: ${file}: behaviors[0].origin: unknown origin id "b" (defined: "app")`,
    ]);
  });

  it('trigger flags with --config exit 2', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }] }));
    expectConfigError(
      await run(['--config', file, '--viewer-request', 'functions/ok.js'], dir),
      "edgeproxy: --viewer-request: cannot be combined with a config file; associate functions in the config file's behaviors",
    );
  });
});

describe('edgeproxy (built CLI) starting for real', () => {
  it('demo mode listens, prints the URL and curl hints, and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const deadline = Date.now() + 15_000;
      while (!/try:/.test(stdout) && child.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /edgeproxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(url, `stdout: ${stdout}\nstderr: ${stderr}`).toBeDefined();
      expect(stdout).toContain(`curl -i ${url}/about`);
      expect(stdout).toMatch(/demo origin \(demo\/site\) on http:\/\/127\.0\.0\.1:\d+/);
      const res = await fetch(`${url}/about`);
      expect(res.status).toBeGreaterThanOrEqual(200);
      await res.arrayBuffer();
    } finally {
      child.kill('SIGINT');
    }
    // Bounded: a CLI that ignores the signal is killed and the test fails instead of hanging.
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await exited;
    clearTimeout(guard);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('a port already in use is a startup failure: exit 1, one message, no stack', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const file = path.join(dir, 'busy.json');
      await writeFile(file, JSON.stringify({ origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }], listen: { port } }));
      const r = await run(['--config', file]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(/listening/);
      expect(r.stderr).toMatch(/^edgeproxy: failed to start: .*EADDRINUSE/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});

describe('parseCliArgs', () => {
  it('parses serve flags', () => {
    expect(
      parseCliArgs(['--config', 'c.json', '--port', '0', '--host', '::1', '--origin', 'http://x:3000', '--viewer-request', 'a.js#h', '--include-body', '--admin-port', '9901']),
    ).toEqual({
      kind: 'serve',
      configFile: 'c.json',
      flags: { origin: 'http://x:3000', port: 0, host: '::1', 'viewer-request': 'a.js#h', includeBody: true, adminPort: 9901 },
    });
  });

  it('parses cache, runtime and log flags, and names the flag when a value is bad', () => {
    expect(parseCliArgs(['--cache-size', '512MiB', '--prewarm', '--log-format', 'json', '--access-log', 'a.log'])).toEqual({
      kind: 'serve',
      flags: { cacheSize: 512 * 1024 * 1024, prewarm: true, logFormat: 'json', accessLog: 'a.log' },
    });
    expect(() => parseCliArgs(['--cache-size', 'lots'])).toThrow(/--cache-size: expected a size/);
    expect(() => parseCliArgs(['--log-format', 'xml'])).toThrow(/--log-format: expected text or json/);
    expect(parseCliArgs(['--log-level', 'warn'])).toEqual({ kind: 'serve', flags: { logLevel: 'warn' } });
    expect(() => parseCliArgs(['--log-level', 'quiet'])).toThrow(/--log-level: expected info, warn or error, got "quiet"/);
  });

  it('help wins over everything, even unknown flags', () => {
    expect(parseCliArgs(['--port', 'x', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--bogus', '-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-v'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['--port', '65536'], '--port: expected a port number 0-65535, got "65536"'],
    [['--port', '-1'], '--port: needs a value'],
    [['--port', '8o8o'], '--port: expected a port number 0-65535, got "8o8o"'],
    [['--admin-port', 'x'], '--admin-port: expected a port number 0-65535, got "x"'],
    [['--origin', ''], '--origin: must not be empty'],
    [['--viewer-request'], '--viewer-request: needs a value'],
    [['--include-body=yes'], '--include-body: does not take a value'],
    [['serve'], 'serve: unexpected argument; options start with -- (see edgeproxy --help)'],
  ])('%j → ConfigError %s', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(ConfigError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('demo mode only when nothing says what to run', () => {
    const serve = (argv: string[]) => {
      const c = parseCliArgs(argv);
      if (c.kind !== 'serve') throw new Error('expected serve');
      return c;
    };
    expect(isDemoMode(serve([]))).toBe(true);
    expect(isDemoMode(serve(['--port', '0', '--host', '127.0.0.1']))).toBe(true);
    expect(isDemoMode(serve(['--origin', 'http://x:3000']))).toBe(false);
    expect(isDemoMode(serve(['--config', 'c.json']))).toBe(false);
    expect(isDemoMode(serve(['--origin-response', 'f.js']))).toBe(false);
  });

  it('HELP_TEXT mentions the config reference', () => {
    expect(HELP_TEXT).toContain('docs/config.md');
  });
});
