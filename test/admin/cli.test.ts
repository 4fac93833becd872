// `edgeproxy invalidate` and `edgeproxy publish` as a user runs them: the built CLI against a real
// admin listener in this process. Build first (`npx tsc -p tsconfig.json`; npm test does).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin } from '../../src/admin/server.js';
import { DEFAULT_ADMIN_URL, INVALIDATE_HELP, adminUrl, parseCliArgs } from '../../src/cli-args.js';
import { ConfigError } from '../../src/config/errors.js';
import { memoryLogger } from '../../src/log.js';
import { fakePublisher, filledStore, type Filled } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, EDGEPROXY_DEBUG: '', ...env };
    if (!('EDGEPROXY_ADMIN' in env)) delete childEnv.EDGEPROXY_ADMIN;
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 20_000, env: childEnv }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

let filled: Filled;
let url: string;
let close: () => Promise<void>;
let code: Map<string, string>;
let noPublishUrl: string;
let closeNoPublish: () => Promise<void>;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) before this test`);
  filled = filledStore();
  code = new Map([['auth', 'v1']]);
  const deps = { store: filled.store, clock: filled.clock, log: memoryLogger(), metrics: undefined, distributionId: 'E1' };
  const s = await startAdmin({ ...deps, publish: fakePublisher(code).publish }, { host: '127.0.0.1', port: 0 });
  ({ url, close } = s);
  const n = await startAdmin({ ...deps, publish: undefined }, { host: '127.0.0.1', port: 0 });
  noPublishUrl = n.url;
  closeNoPublish = n.close;
});
afterAll(async () => {
  await Promise.all([close(), closeNoPublish()]);
});

/** A port nothing listens on: listen, note the port, close. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('edgeproxy invalidate (built CLI)', () => {
  it('removes the paths, prints the count and one removed key per line, exit 0', async () => {
    const a = filled.put('/a');
    const b1 = filled.put('/b1');
    const b2 = filled.put('/b', { qs: 'x=1' });
    const keep = filled.put('/c');
    const r = await run(['invalidate', '--admin', url, '/a', '/b*']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, ...keys] = r.stdout.trimEnd().split('\n');
    expect(first).toBe('invalidated 3 objects');
    expect(keys.sort()).toEqual([a, b1, b2].sort());
    expect(filled.store.list().map((e) => e.key)).toEqual([keep]);
    filled.store.clear();
  });

  it('--json prints the admin answer; EDGEPROXY_ADMIN (here a bare port) replaces --admin', async () => {
    filled.put('/j');
    const port = new URL(url).port;
    const r = await run(['invalidate', '--json', '/j'], { EDGEPROXY_ADMIN: port });
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { removedCount: number; Invalidation: { Id: string } };
    expect(body.removedCount).toBe(1);
    expect(body.Invalidation.Id).toMatch(/^I[A-Z0-9]{14}$/);
  });

  it('a bad path exits 2 with the server\'s message on one line, and nothing is removed', async () => {
    const a = filled.put('/a');
    const r = await run(['invalidate', '--admin', url, '/a', '/b*c']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(['edgeproxy: invalidate: paths[1]: "*" is allowed only as the last character (at 2 in "/b*c")']);
    expect(filled.store.list().map((e) => e.key)).toEqual([a]);
    filled.store.clear();
  });

  it('an unreachable admin URL exits 1 with one clear line', async () => {
    const port = await deadPort();
    const r = await run(['invalidate', '--admin', `http://127.0.0.1:${port}`, '/a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `edgeproxy: cannot reach the admin listener at http://127.0.0.1:${port}: connection refused — is edgeproxy running with --admin-port? (set --admin URL or EDGEPROXY_ADMIN)`,
    );
  });

  it('a server that is not the admin listener (e.g. the viewer port) exits 1 saying so', async () => {
    const other: Server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>nope</h1>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    try {
      const r = await run(['invalidate', '--admin', `127.0.0.1:${port}`, '/a']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/answered HTTP 404 \(text\/html\), not as the edgeproxy admin listener does — is --admin the admin port/);
    } finally {
      other.close();
    }
  });

  it('usage errors exit 2: no path, a bad --admin, an unknown option', async () => {
    const none = await run(['invalidate', '--admin', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^edgeproxy: invalidate: give at least one path/);
    const badUrl = await run(['invalidate', '--admin', 'ftp://x', '/a']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toBe('edgeproxy: --admin: expected an http:// URL like http://127.0.0.1:9901, got "ftp://x"\n');
    const unknown = await run(['invalidate', '--force', '/a']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('edgeproxy: --force: unknown option (see edgeproxy invalidate --help)\n');
  });

  it('invalidate --help prints its own help; --help documents both commands', async () => {
    const sub = await run(['invalidate', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe(INVALIDATE_HELP);
    const main = await run(['--help']);
    expect(main.stdout).toContain('edgeproxy invalidate [--admin URL] PATH...');
    expect(main.stdout).toContain('edgeproxy publish FUNCTION [--admin URL]');
    expect(main.stdout).toContain('EDGEPROXY_ADMIN');
    const pub = await run(['publish', '-h']);
    expect(pub.stdout).toMatch(/^edgeproxy publish: /);
  });
});

describe('edgeproxy publish (built CLI)', () => {
  it('prints the new version, then that the code is unchanged', async () => {
    const first = await run(['publish', 'auth', '--admin', url]);
    expect(first).toEqual({ code: 0, stdout: 'published auth version 1\n', stderr: '' });
    const again = await run(['publish', 'auth', '--admin', url]);
    expect(again).toEqual({ code: 0, stdout: 'auth: code unchanged since version 1, no new version\n', stderr: '' });
    code.set('auth', 'v2');
    const next = await run(['publish', '--admin', url, 'auth']);
    expect(next.stdout).toBe('published auth version 2\n');
  });

  it('an unknown function exits 2; a listener without publishing exits 1; a missing name exits 2', async () => {
    const unknown = await run(['publish', 'nope', '--admin', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('edgeproxy: publish: unknown function "nope"\n');
    const unavailable = await run(['publish', 'auth', '--admin', noPublishUrl]);
    expect(unavailable.code).toBe(1);
    expect(unavailable.stderr).toMatch(/^edgeproxy: publish: publishing versions is not available/);
    const missing = await run(['publish', '--admin', url]);
    expect(missing.code).toBe(2);
  });
});

describe('parseCliArgs subcommands', () => {
  it('parses invalidate and publish; the first word selects them, anything else is still serve', () => {
    expect(parseCliArgs(['invalidate', '--admin', 'http://127.0.0.1:9999', '/a', '/b*', '--caller-reference', 'r1'])).toEqual({
      kind: 'invalidate',
      admin: 'http://127.0.0.1:9999',
      paths: ['/a', '/b*'],
      json: false,
      callerReference: 'r1',
    });
    expect(parseCliArgs(['publish', 'auth', '--json'])).toEqual({ kind: 'publish', admin: DEFAULT_ADMIN_URL, functionName: 'auth', json: true });
    expect(parseCliArgs(['invalidate', '/a'], { EDGEPROXY_ADMIN: 'localhost:7000' })).toMatchObject({ admin: 'http://localhost:7000' });
    expect(parseCliArgs(['invalidate', '--admin', '8000', '/a'], { EDGEPROXY_ADMIN: 'localhost:7000' })).toMatchObject({ admin: 'http://127.0.0.1:8000' });
    expect(parseCliArgs(['invalidate', '--help'])).toEqual({ kind: 'help', topic: 'invalidate' });
    expect(parseCliArgs(['publish', '--bogus', '-h'])).toEqual({ kind: 'help', topic: 'publish' });
    expect(parseCliArgs(['--port', '0'])).toEqual({ kind: 'serve', flags: { port: 0 } });
    expect(() => parseCliArgs(['--port', '0', 'invalidate'])).toThrow('invalidate: unexpected argument');
    expect(() => parseCliArgs(['publish', 'a', 'b'])).toThrow('publish: one function at a time; unexpected "b"');
    expect(() => parseCliArgs(['invalidate', '/a'], { EDGEPROXY_ADMIN: 'ftp://x' })).toThrow('EDGEPROXY_ADMIN: expected an http:// URL');
  });

  it.each([
    ['http://127.0.0.1:9901', 'http://127.0.0.1:9901'],
    ['http://127.0.0.1:9901/', 'http://127.0.0.1:9901'],
    ['127.0.0.1:9901', 'http://127.0.0.1:9901'],
    ['9901', 'http://127.0.0.1:9901'],
    ['https://admin.test/edge/', 'https://admin.test/edge'],
    ['[::1]:9901', 'http://[::1]:9901'],
  ])('adminUrl(%s) → %s', (input, out) => {
    expect(adminUrl('--admin', input)).toBe(out);
  });

  it.each(['ftp://x', 'http://', 'http://x:9901/?a=1', 'http://a b'])('adminUrl(%s) → ConfigError', (input) => {
    expect(() => adminUrl('--admin', input)).toThrow(ConfigError);
  });
});
