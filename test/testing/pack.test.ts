// docs/testing.md's worked example, as a user runs it: a fresh project outside this repository gets
// edgeproxy from the tarball `npm pack` makes, the doc's test files and tsconfig are written into it
// as the page shows them, and `tsc --noEmit` (the examples type-check against the packed types) and
// `vitest run` (they pass) run there. Offline: `npm install --offline` is tried first; without the
// packages in npm's cache, the tarball is unpacked into node_modules and its dependencies linked to
// this repository's copies. Every child process is bounded in time.

import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'testing.md');

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: `${stdout}${stderr}` });
    });
  });
}

/** The doc's code blocks whose first line names a file (`// test/redirect.test.ts`): path → text. */
function docFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/```(?:ts|jsonc)\n\/\/ ([\w./-]+)\n([\s\S]*?)```/g)) {
    const name = m[1] as string;
    files.set(name, `// ${name}\n${m[2] as string}`);
  }
  return files;
}

/** Links a package of this repository's node_modules into the project's (scoped names too). */
async function link(project: string, name: string): Promise<void> {
  const target = path.join(ROOT, 'node_modules', name);
  const at = path.join(project, 'node_modules', name);
  if (existsSync(at) || !existsSync(target)) return;
  await mkdir(path.dirname(at), { recursive: true });
  await symlink(target, at, 'dir');
}

describe('the worked example of docs/testing.md in a fresh project', () => {
  let work: string;
  let project: string;
  let how = '';
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'edgeproxy-pack-'));
    project = path.join(work, 'my-site');
    await mkdir(path.join(project, 'functions'), { recursive: true });
    const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], ROOT, 120_000);
    expect(pack.code, pack.out).toBe(0);
    const tarball = path.join(work, (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as Array<{ filename: string }>)[0]!.filename);
    await writeFile(path.join(project, 'package.json'), `${JSON.stringify({ name: 'my-site', private: true, type: 'module' }, null, 2)}\n`);
    // The user's functions, copied from the examples as the page says.
    for (const f of ['redirect.js', 'directory-index.js', 'package.json']) await cp(path.join(ROOT, 'functions', f), path.join(project, 'functions', f));
    for (const [name, text] of docFiles(await readFile(DOC, 'utf8'))) {
      await mkdir(path.dirname(path.join(project, name)), { recursive: true });
      await writeFile(path.join(project, name), text);
    }
    const offline = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--save-dev', tarball], project, 120_000);
    if (offline.code === 0) how = 'npm install --offline';
    else {
      // npm's cache lacks some package: unpack the tarball as npm would, and link what it depends on.
      how = `unpacked and linked (npm install --offline: ${/ENOTCACHED|code \w+/.exec(offline.out)?.[0] ?? `exit ${offline.code}`})`;
      const into = path.join(project, 'node_modules', 'edgeproxy');
      await mkdir(into, { recursive: true });
      const tar = await run('tar', ['-xzf', tarball, '-C', into, '--strip-components=1'], project, 60_000);
      expect(tar.code, tar.out).toBe(0);
      const pkg = JSON.parse(await readFile(path.join(into, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const dep of Object.keys(pkg.dependencies ?? {})) await link(project, dep);
    }
    // The dev tools the page installs beside it.
    for (const tool of ['vitest', 'typescript', '@types/node', '@types/aws-lambda']) await link(project, tool);
  }, 400_000);
  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('the page has the example files: a vitest test of redirect.js, a typed event, a distribution test, the tsconfig', async () => {
    const files = docFiles(await readFile(DOC, 'utf8'));
    expect([...files.keys()]).toEqual(expect.arrayContaining(['test/redirect.test.ts', 'test/typed.test.ts', 'test/site.test.ts', 'tsconfig.json']));
    expect(existsSync(path.join(project, 'node_modules', 'edgeproxy', 'dist', 'src', 'testing', 'index.d.ts'))).toBe(true);
    // Installed from the tarball, not linked to this checkout.
    expect(path.relative(ROOT, path.join(project, 'node_modules', 'edgeproxy')).startsWith('..')).toBe(true);
    console.info(`edgeproxy installed in ${project}: ${how}`);
  });

  it('type-checks against the packed types (tsc --noEmit)', async () => {
    const tsc = await run(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', project], project, 120_000);
    expect(tsc.code, tsc.out).toBe(0);
  }, 150_000);

  it('passes (vitest run)', async () => {
    const v = await run(process.execPath, [path.join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', project], project, 180_000);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/Test Files\s+3 passed/);
  }, 200_000);
});
