// The code registry: publishing numbered versions, their persistence, aliases drawn by weight, and
// the start-up checks of versions and aliases (docs/cloudfront-reference.md §9.1, §3.9). Each test works on a copy of the
// fixtures in a temp folder, with its own state folder.

import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/config/errors.js';
import { memoryLogger, silentLogger } from '../../src/log.js';
import { createCodeSource, type LocalCodeSource, PublishError } from '../../src/runtime/code.js';
import { expectOk, requestEvent, runtime } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/code/', import.meta.url));

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A private copy of the fixtures (tests edit files) with `.edgeproxy` inside it. */
async function project(): Promise<{ dir: string; stateDir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-code-'));
  await cp(FIXTURES, dir, { recursive: true });
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return { dir, stateDir: path.join(dir, '.edgeproxy') };
}

async function config(dir: string, object: Record<string, unknown>): Promise<ResolvedConfig> {
  return loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], ...object }, baseDir: dir });
}

function open(opts: Parameters<typeof createCodeSource>[0]): LocalCodeSource {
  const code = createCodeSource(opts);
  cleanup.push(() => code.close());
  return code;
}

const PLAIN = { id: 'plain', file: 'plain.mjs' };

describe('publish (AWS rule: versions and aliases)', () => {
  it('numbers versions 1, 2 and makes none for unchanged code', async () => {
    const { dir, stateDir } = await project();
    const log = memoryLogger();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log, stateDir, watch: false });

    expect(await code.publish('plain')).toEqual({ version: '1', created: true });
    expect(await code.publish('plain')).toEqual({ version: '1', created: false });
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    expect(await code.publish('plain')).toEqual({ version: '2', created: true });
    expect(await code.publish('plain')).toEqual({ version: '2', created: false });

    expect(code.versions('plain').map((v) => v.version)).toEqual(['1', '2']);
    // The caller (admin listener) reports a publish; the registry only warns about $LATEST associations.
    expect(log.lines).toEqual([]);
  });

  it('writes an immutable bundle and a manifest whose sha256 is the bundle’s', async () => {
    const { dir, stateDir } = await project();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    await code.publish('plain');
    const ref = code.resolve('plain', '1');
    expect(ref).toMatchObject({ functionId: 'plain', version: '1', exportName: 'handler', generation: 0 });
    expect(ref.file).toBe(path.join(stateDir, 'versions', 'plain', '1', 'index.mjs'));
    const bundle = await readFile(ref.file);
    // The local import is inside the bundle: editing plain-dep.mjs later cannot change version 1.
    expect(bundle.toString()).toContain('var BODY = "one"');
    const manifest = JSON.parse(await readFile(path.join(stateDir, 'versions', 'plain', '1', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ functionId: 'plain', version: '1', file: 'index.mjs', exportName: 'handler', format: 'esm', source: path.join(dir, 'plain.mjs') });
    expect(manifest['sha256']).toBe(createHash('sha256').update(bundle).digest('hex'));
    expect(Number.isNaN(Date.parse(String(manifest['createdAt'])))).toBe(false);

    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'changed';\n");
    const rt = runtime();
    const fn = { id: 'plain', file: ref.file, exportName: 'handler', timeoutMs: undefined, memorySize: 128, reservedConcurrency: undefined };
    const result = expectOk(await rt.invoke({ fn, code: ref, eventType: 'viewer-request', event: requestEvent(), requestId: 'r', timeoutMs: 5_000 }));
    expect(result).toMatchObject({ body: 'one' });
  });

  it('persists versions across a new registry on the same state folder', async () => {
    const { dir, stateDir } = await project();
    const cfg = await config(dir, { functions: [PLAIN] });
    const first = open({ config: cfg, log: silentLogger, stateDir, watch: false });
    await first.publish('plain');
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    await first.publish('plain');
    await first.close();

    const second = open({ config: cfg, log: silentLogger, stateDir, watch: false });
    expect(second.versions('plain').map((v) => v.version)).toEqual(['1', '2']);
    expect(second.resolve('plain', '1').file).toBe(path.join(stateDir, 'versions', 'plain', '1', 'index.mjs'));
    expect(await second.publish('plain')).toEqual({ version: '2', created: false });
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'three';\n");
    expect(await second.publish('plain')).toEqual({ version: '3', created: true });
  });

  it('serialises concurrent publishes of the same code into one version', async () => {
    const { dir, stateDir } = await project();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    const results = await Promise.all([code.publish('plain'), code.publish('plain'), code.publish('plain')]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set(['1']));
  });

  it('sees a version another process published and takes the next number', async () => {
    const { dir, stateDir } = await project();
    const cfg = await config(dir, { functions: [PLAIN] });
    const proxy = open({ config: cfg, log: silentLogger, stateDir, watch: false });
    const cli = open({ config: cfg, log: silentLogger, stateDir, watch: false });
    expect(await cli.publish('plain')).toEqual({ version: '1', created: true });
    // Same code: the proxy's registry compares with what is on disk, not with what it knew at start.
    expect(await proxy.publish('plain')).toEqual({ version: '1', created: false });
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    expect(await proxy.publish('plain')).toEqual({ version: '2', created: true });
    expect(proxy.resolve('plain', '1').version).toBe('1');
  });

  it('bundles node_modules into a version, so it keeps running when the package changes', async () => {
    const { dir, stateDir } = await project();
    const pkg = path.join(dir, 'node_modules', 'tiny-dep');
    await mkdir(pkg, { recursive: true });
    // A CommonJS package that requires a builtin: inside an ES module bundle it needs require().
    await writeFile(path.join(pkg, 'package.json'), '{ "name": "tiny-dep", "main": "index.js" }\n');
    await writeFile(path.join(pkg, 'index.js'), "const os = require('node:os'); exports.word = 'bundled-' + typeof os.cpus;\n");
    await writeFile(path.join(dir, 'uses-dep.mjs'), "import dep from 'tiny-dep';\nexport const handler = async () => ({ status: '200', body: dep.word });\n");
    const code = open({ config: await config(dir, { functions: [{ id: 'dep', file: 'uses-dep.mjs' }] }), log: silentLogger, stateDir, watch: false });
    await code.publish('dep');
    await rm(path.join(dir, 'node_modules'), { recursive: true });

    const ref = code.resolve('dep', '1');
    const rt = runtime();
    const fn = { id: 'dep', file: ref.file, exportName: 'handler', timeoutMs: undefined, memorySize: 128, reservedConcurrency: undefined };
    const result = expectOk(await rt.invoke({ fn, code: ref, eventType: 'viewer-request', event: requestEvent(), requestId: 'r', timeoutMs: 5_000 }));
    expect(result).toMatchObject({ body: 'bundled-function' });
  });

  it('rejects an unknown function and code that does not build, with PublishError codes', async () => {
    const { dir, stateDir } = await project();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    await expect(code.publish('nope')).rejects.toMatchObject({ code: 'UnknownFunction', message: 'unknown function "nope" (defined: "plain")' });
    await writeFile(path.join(dir, 'plain-dep.mjs'), 'export const BODY = ;\n');
    const e: unknown = await code.publish('plain').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PublishError);
    expect((e as PublishError).code).toBe('BuildFailed');
    expect((e as PublishError).message).toMatch(/^cannot publish "plain": .*plain-dep\.mjs:1:21: Unexpected ";"$/);
    expect(code.versions('plain')).toEqual([]);
  });
});

describe('aliases (AWS rule: versions and aliases)', () => {
  async function withVersions(n: number, aliases: Record<string, unknown>, random?: () => number) {
    const { dir, stateDir } = await project();
    const plain = await config(dir, { functions: [PLAIN] });
    const publisher = open({ config: plain, log: silentLogger, stateDir, watch: false });
    for (let i = 1; i <= n; i++) {
      await writeFile(path.join(dir, 'plain-dep.mjs'), `export const BODY = 'v${i}';\n`);
      await publisher.publish('plain');
    }
    const cfg = await config(dir, { functions: [{ ...PLAIN, aliases }] });
    return open({ config: cfg, log: silentLogger, stateDir, watch: false, ...(random ? { random } : {}) });
  }

  it('points at its version', async () => {
    const code = await withVersions(2, { live: { version: '2' }, old: { version: 1 } });
    expect(code.resolve('plain', 'live').version).toBe('2');
    expect(code.resolve('plain', 'old').version).toBe('1');
    expect(code.resolve('plain', '1').version).toBe('1');
    expect(code.resolve('plain', undefined).version).toBe('$LATEST');
    expect(code.resolve('plain', '$LATEST').version).toBe('$LATEST');
  });

  it('splits by weight: exact counts with an injected random', async () => {
    let i = 0;
    // 1,000 evenly spaced draws in [0, 1): a weight of 0.1 must send exactly 100 to the additional version.
    const random = (): number => ((i++ % 1000) + 0.5) / 1000;
    const code = await withVersions(3, { live: { version: '2', additionalVersionWeights: { '3': 0.1 } } }, random);
    const counts = new Map<string, number>();
    for (let n = 0; n < 1000; n++) {
      const v = code.resolve('plain', 'live').version;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ '2': 900, '3': 100 });
  });

  it('splits by weight with Math.random over 2,000 draws', async () => {
    const code = await withVersions(2, { canary: { version: '1', additionalVersionWeights: { '2': 0.25 } } });
    let second = 0;
    for (let n = 0; n < 2000; n++) if (code.resolve('plain', 'canary').version === '2') second++;
    // Expected 500, standard deviation ≈ 19: the band is over 5 deviations wide on each side.
    expect(second).toBeGreaterThan(400);
    expect(second).toBeLessThan(600);
  });

  it('lists both versions of a weighted alias as candidates (start-up checks)', async () => {
    const code = await withVersions(3, { live: { version: '2', additionalVersionWeights: { '3': 0.1 } }, stable: { version: '1' } });
    expect(code.candidates('plain', 'live').map((r) => r.version)).toEqual(['2', '3']);
    expect(code.candidates('plain', 'stable').map((r) => r.version)).toEqual(['1']);
    expect(code.candidates('plain', '3').map((r) => r.version)).toEqual(['3']);
    expect(code.candidates('plain', undefined).map((r) => r.version)).toEqual(['$LATEST']);
  });

  it('weights 0 and 1 are never and always', async () => {
    const code = await withVersions(2, { none: { version: '1', additionalVersionWeights: { '2': 0 } }, all: { version: '1', additionalVersionWeights: { '2': 1 } } });
    for (let n = 0; n < 200; n++) {
      expect(code.resolve('plain', 'none').version).toBe('1');
      expect(code.resolve('plain', 'all').version).toBe('2');
    }
  });
});

describe('start-up checks', () => {
  it('names an alias version that is not published, with the published ones', async () => {
    const { dir, stateDir } = await project();
    const publisher = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    await publisher.publish('plain');
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    await publisher.publish('plain');
    const cfg = await config(dir, {
      functions: [{ ...PLAIN, aliases: { live: { version: '7' }, beta: { version: '1', additionalVersionWeights: { '9': 0.5 } } } }],
    });
    expect(() => createCodeSource({ config: cfg, log: silentLogger, stateDir, watch: false })).toThrow(
      new ConfigError(
        'FunctionLoadError',
        [
          'functions[0].aliases.live.version: version 7 of "plain" is not published (published: 1, 2)',
          'functions[0].aliases.beta.additionalVersionWeights.9: version 9 of "plain" is not published (published: 1, 2)',
        ].join('\n'),
      ),
    );
  });

  it('names an association to an unpublished version and says how to publish', async () => {
    const { dir, stateDir } = await project();
    const cfg = await config(dir, { functions: [PLAIN], behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'plain:3' } }] });
    expect(() => createCodeSource({ config: cfg, log: silentLogger, stateDir, watch: false })).toThrow(
      'behaviors[0].functions.viewer-request: version 3 of "plain" is not published (published: none; run "edgeproxy publish plain")',
    );
  });

  it('notes associations CloudFront would reject ($LATEST, alias) in one info line, only when asked', async () => {
    const { dir, stateDir } = await project();
    const publisher = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    await publisher.publish('plain');
    const cfg = await config(dir, {
      functions: [{ ...PLAIN, aliases: { live: { version: '1' } } }],
      behaviors: [
        { pathPattern: '/a/*', origin: 'o', functions: { 'viewer-request': 'plain', 'origin-request': 'plain:1' } },
        { pathPattern: '*', origin: 'o', functions: { 'viewer-response': { function: 'plain:live' }, 'origin-response': 'plain:$LATEST' } },
      ],
    });
    const quiet = memoryLogger();
    open({ config: cfg, log: quiet, stateDir, watch: false });
    expect(quiet.lines).toEqual([]);
    const log = memoryLogger();
    open({ config: cfg, log, stateDir, watch: false, noteUnversioned: true });
    expect(log.lines).toEqual([
      'edgeproxy: note: "plain", "plain:live" run at $LATEST or through an alias, which CloudFront does not accept in an association (3 associations); fine locally; to rehearse a deployment, associate a numbered version like "plain:1" in a config file (docs/versions.md)',
    ]);
    // info: --log-level warn drops it.
    expect(log.records.map((r) => r.level)).toEqual(['info']);
  });

  it('resolve() refuses what was never configured', async () => {
    const { dir, stateDir } = await project();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log: silentLogger, stateDir, watch: false });
    expect(() => code.resolve('nope', undefined)).toThrow('no code for function "nope"');
    expect(() => code.resolve('plain', '4')).toThrow('function "plain" has no version or alias "4"');
  });

  it('skips a version folder without a valid manifest, with a warning', async () => {
    const { dir, stateDir } = await project();
    await mkdir(path.join(stateDir, 'versions', 'plain', '1'), { recursive: true });
    await writeFile(path.join(stateDir, 'versions', 'plain', '1', 'manifest.json'), '{ "nope": true }');
    const log = memoryLogger();
    const code = open({ config: await config(dir, { functions: [PLAIN] }), log, stateDir, watch: false });
    expect(code.versions('plain')).toEqual([]);
    expect(log.lines).toEqual([`edgeproxy: ignoring ${path.join(stateDir, 'versions', 'plain', '1')}: manifest.json does not describe version 1 of "plain"`]);
    // Its number is not reused while the folder is there.
    expect(await code.publish('plain')).toEqual({ version: '2', created: true });
  });
});
