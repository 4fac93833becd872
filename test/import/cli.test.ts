// The built CLI with an imported distribution: the not-emulated table before the banner, a request
// through the mapped origin, `config --print` (the resolved config, which runs as --config) and
// `config --to-distribution`.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDistribution } from '../../src/import/index.js';
import { parseFunctionMap, parseKvsMap, parseOriginMap } from '../../src/import/flags.js';
import { FIXTURES, startOrigin, type TestOrigin } from '../helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const FILE = path.join(FIXTURES, 'import', 'get-distribution-config.json');
const FNS = path.join(FIXTURES, 'import', 'fns.mjs');
const DIR = path.join(FIXTURES, 'import');
const GREET = 'arn:aws:cloudfront::123456789012:function/greet';
const functionMaps = [
  `arn:aws:lambda:us-east-1:123456789012:function:guard=${FNS}#viewerRequest`,
  `arn:aws:lambda:us-east-1:123456789012:function:mark=${FNS}#originResponse`,
  `arn:aws:lambda:us-east-1:123456789012:function:stamp:1=${FNS}#originRequest`,
  `${GREET}=${path.join(DIR, 'greet.js')}`,
  `arn:aws:cloudfront::123456789012:function/stamp-cf=${path.join(DIR, 'stamp-cf.js')}`,
];
let origin: TestOrigin;
let dir: string;

function mapArgs(url: string): string[] {
  return [
    '--origin-map', `api.example.com=${url}`,
    '--origin-map', `assets.example.com=${url}`,
    '--origin-map', `backup.example.com=${url}`,
    ...functionMaps.flatMap((m) => ['--function-map', m]),
    '--kvs-map', `${GREET}=${path.join(DIR, 'greetings.kvs.json')}`,
    '--policy-file', path.join(DIR, 'policies'),
  ];
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  origin = await startOrigin();
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-import-'));
});
afterAll(async () => {
  await origin?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('edgeproxy --distribution (built CLI)', () => {
  it('prints the not-emulated table before listening, then serves through the mapped origin', async () => {
    // The fixture with every behavior on allow-all: its HTTPS behaviors would open the HTTPS listener
    // on its fixed default port (8443), which parallel test runs must not share.
    const doc = JSON.parse(await readFile(FILE, 'utf8')) as { DistributionConfig: { DefaultCacheBehavior: Record<string, unknown>; CacheBehaviors: { Items: Array<Record<string, unknown>> } } };
    for (const b of [doc.DistributionConfig.DefaultCacheBehavior, ...doc.DistributionConfig.CacheBehaviors.Items]) b.ViewerProtocolPolicy = 'allow-all';
    const httpOnly = path.join(dir, 'http-only.json');
    await writeFile(httpOnly, JSON.stringify(doc));
    const child = spawn(process.execPath, [CLI, '--port', '0', '--distribution', httpOnly, ...mapArgs(origin.url)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 15_000;
      while (!/Ctrl-C to stop/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /edgeproxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect(out.indexOf('not emulated (')).toBeGreaterThan(-1);
      expect(out.indexOf('not emulated (')).toBeLessThan(out.indexOf('edgeproxy listening'));
      expect(out).toMatch(/Aliases\s+www\.example\.com\s+ignored locally/);
      expect(out).toMatch(/CacheBehaviors\[\/legacy\/\*\]\.FunctionAssociations\[viewer-request\]\.FunctionARN\s+\S+greet\s+runs as cloudfront-js-2\.0/);
      // The distribution allows viewers from DE and FR (Restrictions.GeoRestriction).
      const refused = await fetch(`${url}/api/ping`, { headers: { 'x-edgeproxy-cloudfront-viewer-country': 'US' } });
      expect(refused.status).toBe(403);
      const res = await fetch(`${url}/api/ping`, { headers: { 'x-edgeproxy-cloudfront-viewer-country': 'DE' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-origin-response')).toBe('ran');
      expect(((await res.json()) as { url: string }).url).toBe('/v1/api/ping');
    } finally {
      child.kill('SIGINT');
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(guard);
  });

  it('an unmapped origin: exit 2, the message names the domain and the flag', async () => {
    const r = await run(['--distribution', FILE, '--origin-map', `api.example.com=${origin.url}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Origins[assets]: origin "assets.example.com" has no local URL; map it with --origin-map assets.example.com=http://127.0.0.1:3000');
    expect(r.stderr).not.toMatch(/listening|\n\s+at /);
  });

  it('config --print writes the resolved config, which runs unchanged as --config; the table goes to stderr', async () => {
    const r = await run(['config', '--print', '--distribution', FILE, ...mapArgs(origin.url)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^not emulated \(\d+\):/);
    const printed: unknown = JSON.parse(r.stdout);
    const direct = await importDistribution({
      file: FILE,
      originMap: parseOriginMap([`api.example.com=${origin.url}`, `assets.example.com=${origin.url}`, `backup.example.com=${origin.url}`]),
      functionMap: parseFunctionMap(functionMaps),
      kvsMap: parseKvsMap([`${GREET}=${path.join(DIR, 'greetings.kvs.json')}`]),
      policyFiles: [path.join(DIR, 'policies')],
    });
    expect(printed).toEqual(direct.config);
    const saved = path.join(dir, 'saved.json');
    await writeFile(saved, r.stdout);
    const policyOut = path.join(dir, 'policies-out');
    const back = await run(['config', '--to-distribution', '--config', saved, '--policy-out', policyOut]);
    expect(back.code, back.stderr).toBe(0);
    type B = { PathPattern: string; CachePolicyId?: string; FunctionAssociations: { Quantity: number } };
    const dc = (JSON.parse(back.stdout) as { DistributionConfig: { CacheBehaviors: { Items: B[] } } }).DistributionConfig;
    expect(dc.CacheBehaviors.Items.map((b) => b.PathPattern)).toEqual(['/api/*', '/legacy/*', '/custom/*', '/private/*']);
    expect(dc.CacheBehaviors.Items[1]?.FunctionAssociations.Quantity).toBe(1);
    // The custom policies are written where --policy-out says, as get-*-policy files named on stderr.
    const written = (await readdir(policyOut)).sort();
    expect(written.map((f) => f.replace(/-[0-9A-Za-z-]+\.json$/, ''))).toEqual(['CachePolicy', 'KeyGroup', 'OriginRequestPolicy', 'PublicKey', 'ResponseHeadersPolicy']);
    expect(written.some((f) => f === `CachePolicy-${dc.CacheBehaviors.Items[2]?.CachePolicyId}.json`)).toBe(true);
    for (const f of written) expect(back.stderr).toContain(`edgeproxy: wrote ${path.join(policyOut, f)}`);
  });

  it('--origin-map without --distribution is a usage error', async () => {
    const r = await run(['--origin-map', 'a=http://127.0.0.1:1']);
    expect(r).toMatchObject({ code: 2, stderr: 'edgeproxy: --origin-map: needs --distribution FILE\n' });
  });
});
