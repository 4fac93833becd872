// The built CLI with an HTTPS listener (docs/cloudfront-reference.md §16): the start lines name the
// HTTPS URL, the self-signed certificate's file and how to trust it; a behavior line names its origin
// group (§14) and its viewer protocol policy; the certificate verifies; SIGTERM stops both listeners.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { send, startOrigin, type TestOrigin } from './helpers.js';

const CLI = path.join(path.resolve(import.meta.dirname, '..'), 'dist', 'src', 'cli.js');
let dir: string;
let primary: TestOrigin;
let secondary: TestOrigin;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-cli-https-'));
  primary = await startOrigin();
  secondary = await startOrigin();
  await writeFile(
    path.join(dir, 'edgeproxy.config.json'),
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0, https: { port: 0 } },
      origins: [{ id: 'a', url: primary.url }, { id: 'b', url: secondary.url }],
      originGroups: [{ id: 'ab', members: ['a', 'b'], failoverCriteria: { statusCodes: [503] } }],
      behaviors: [{ pathPattern: '*', origin: 'ab', viewerProtocolPolicy: 'redirect-to-https' }],
    }),
  );
});
afterAll(async () => {
  await Promise.all([primary.close(), secondary.close()]);
  await rm(dir, { recursive: true, force: true });
});

function get(url: string, ca: Buffer): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: u.hostname, port: u.port, path: '/', ca, servername: 'localhost', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

it('prints the HTTPS URL and how to trust its certificate, and serves it', async () => {
  const child: ChildProcess = spawn(process.execPath, [CLI, '--config', 'edgeproxy.config.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    const deadline = Date.now() + 20_000;
    while (!/Ctrl-C to stop/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const httpUrl = /edgeproxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const httpsUrl = /edgeproxy listening on (https:\/\/127\.0\.0\.1:\d+) \(HTTP\/2 and HTTP\/1\.1\)/.exec(out)?.[1];
    expect(httpUrl, out).toBeDefined();
    expect(httpsUrl, out).toBeDefined();
    const certFile = path.join(dir, '.edgeproxy', 'https', 'localhost-cert.pem');
    expect(out).toContain(`trust it: curl --cacert ${certFile} ${httpsUrl}/`);
    expect(out).toMatch(/self-signed certificate for localhost, 127\.0\.0\.1 and ::1 \(made now\), SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(out).toContain(`* → origin group ab (${primary.url}, failing over to ${secondary.url} on 503 or no answer)`);
    expect(out).toMatch(/· redirect-to-https\n/);
    expect(await get(httpsUrl ?? '', await readFile(certFile))).toBe(200);
    const redirect = await send(httpUrl ?? '', '/x');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://127.0.0.1:${new URL(httpsUrl ?? '').port}/x`);
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = await exited;
    clearTimeout(guard);
    expect(code).toBe(0);
  }
});
