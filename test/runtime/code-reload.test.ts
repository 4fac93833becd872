// Hot reload of $LATEST: editing the function's file or a file it imports bumps the
// generation once the new code loads; an edit that does not load keeps the old code and logs one line.
// Files are edited in a private copy of the fixtures; every wait is bounded.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { memoryLogger } from '../../src/log.js';
import { createCodeSource, type LocalCodeSource } from '../../src/runtime/code.js';
import { until } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/code/', import.meta.url));
const WAIT_MS = 10_000;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function start(functions: Array<Record<string, unknown>>, watch = true) {
  const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-reload-'));
  await cp(FIXTURES, dir, { recursive: true });
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const config = await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], functions }, baseDir: dir });
  const log = memoryLogger();
  const code: LocalCodeSource = createCodeSource({ config, log, stateDir: path.join(dir, '.edgeproxy'), watch, debounceMs: 20 });
  cleanup.push(() => code.close());
  return { dir, code, log };
}

const gen = (code: LocalCodeSource, id: string): number => code.resolve(id, undefined).generation;

describe('hot reload of .js', () => {
  it('bumps the generation when an imported file changes; the file stays the user’s', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    const before = code.resolve('plain', undefined);
    expect(before).toMatchObject({ version: '$LATEST', file: path.join(dir, 'plain.mjs'), generation: 1 });
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    await until(() => gen(code, 'plain') === 2, WAIT_MS, 'generation 2');
    expect(code.resolve('plain', undefined).file).toBe(path.join(dir, 'plain.mjs'));
    expect(log.lines).toContain('edgeproxy: reloaded ' + path.join(dir, 'plain.mjs') + ' ("plain" $LATEST, generation 2)');
  });

  it('keeps the old generation and logs one error line for a file that no longer parses, then recovers', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    await writeFile(path.join(dir, 'plain.mjs'), "import { BODY } from './plain-dep.mjs';\nexport const handler = async () => ({ body: BODY ;\n");
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    const errors = log.lines.filter((l) => l.includes('was not reloaded'));
    expect(errors).toEqual([
      `edgeproxy: ${path.join(dir, 'plain.mjs')} was not reloaded, "plain" keeps serving the previous code: ${path.join(dir, 'plain.mjs')}:2:50: Expected "}" but found ";"`,
    ]);
    expect(gen(code, 'plain')).toBe(1);

    await writeFile(path.join(dir, 'plain.mjs'), "import { BODY } from './plain-dep.mjs';\nexport const handler = async () => ({ body: BODY + '!' });\n");
    await until(() => gen(code, 'plain') === 2, WAIT_MS, 'generation 2 after the fix');
  });

  it('points new workers at a snapshot of the previous code while the file on disk does not load', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    await writeFile(path.join(dir, 'plain.mjs'), "import { BODY } from './plain-dep.mjs';\nexport const handler = async () => ({ body: BODY ;\n");
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    // A worker started now (cold start, scale-up) loads this file: it must be the code that last loaded.
    const serving = code.resolve('plain', undefined);
    expect(serving.generation).toBe(1);
    expect(serving.file).not.toBe(path.join(dir, 'plain.mjs'));
    expect(serving.file.startsWith(path.join(dir, '.edgeproxy', 'build'))).toBe(true);
    const mod = (await import(pathToFileURL(serving.file).href)) as { handler: () => Promise<{ body: string }> };
    expect((await mod.handler()).body).toBe('one');

    // Undoing the broken edit serves the user's own file again, without a new generation.
    await writeFile(path.join(dir, 'plain.mjs'), await readFile(path.join(FIXTURES, 'plain.mjs'), 'utf8'));
    await until(() => code.resolve('plain', undefined).file === path.join(dir, 'plain.mjs'), WAIT_MS, 'back to the file');
    expect(gen(code, 'plain')).toBe(1);
  });

  it('reports a syntax error at start with the same file:line:column as a reload does', async () => {
    const broken = "import { BODY } from './plain-dep.mjs';\nexport const handler = async () => ({ body: BODY ;\n";
    const { dir, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    await writeFile(path.join(dir, 'plain.mjs'), broken);
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    const reloadLine = log.lines.find((l) => l.includes('was not reloaded')) ?? '';
    const where = `${path.join(dir, 'plain.mjs')}:2:50: Expected "}" but found ";"`;
    expect(reloadLine.endsWith(`keeps serving the previous code: ${where}`)).toBe(true);

    const config = await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], functions: [{ id: 'plain', file: 'plain.mjs' }] }, baseDir: dir });
    let err: unknown;
    try {
      createCodeSource({ config, log: memoryLogger(), stateDir: path.join(dir, '.edgeproxy'), watch: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`functions[0].file: ${path.join(dir, 'plain.mjs')} failed to load: ${where}`);
  });

  it('refuses a module that throws while loading, naming the error', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'x';\nthrow new TypeError('bad init');\n");
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    const line = log.lines.find((l) => l.includes('was not reloaded')) ?? '';
    expect(line).toContain(`keeps serving the previous code: ${path.join(dir, 'plain.mjs')}: TypeError: bad init (at ${path.join(dir, 'plain-dep.mjs')}:2)`);
    expect(gen(code, 'plain')).toBe(1);
  });

  it('refuses a module that lost its handler export', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }]);
    await writeFile(path.join(dir, 'plain.mjs'), 'export const other = () => 1;\n');
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    expect(log.lines.find((l) => l.includes('was not reloaded'))).toMatch(/keeps serving the previous code: .*plain\.mjs: has no export "handler"$/);
    expect(gen(code, 'plain')).toBe(1);
  });

  it('does not bump for a save that changes nothing', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }, { id: 'typed', file: 'typed.ts' }]);
    // Same bytes written to the first function's file, then a real change to the second: once the
    // second has reloaded, the first's (earlier) event has been handled too.
    await writeFile(path.join(dir, 'plain.mjs'), await readFile(path.join(dir, 'plain.mjs')));
    await writeFile(path.join(dir, 'lib', 'label.ts'), "export function label(uri: string): string {\n  return `relabelled:${uri}`;\n}\n");
    await until(() => gen(code, 'typed') === 2, WAIT_MS, 'typed generation 2');
    await new Promise((r) => setTimeout(r, 100));
    expect(gen(code, 'plain')).toBe(1);
    expect(log.lines.filter((l) => l.includes('reloaded'))).toHaveLength(1);
  });
});

describe('hot reload of .ts', () => {
  it('recompiles when an imported .ts file changes, into a new build file', async () => {
    const { dir, code } = await start([{ id: 'typed', file: 'typed.ts' }]);
    const before = code.resolve('typed', undefined);
    await writeFile(path.join(dir, 'lib', 'label.ts'), "export function label(uri: string): string {\n  return `v2:${uri}`;\n}\n");
    await until(() => gen(code, 'typed') === 2, WAIT_MS, 'generation 2');
    const after = code.resolve('typed', undefined);
    expect(after.file).not.toBe(before.file);
    expect(await readFile(after.file, 'utf8')).toContain('v2:');
    // The previous build stays for workers of the old generation that are still starting.
    expect(existsSync(before.file)).toBe(true);
  });

  it('keeps the old build and names the .ts line on a type-level syntax error', async () => {
    const { dir, code, log } = await start([{ id: 'typed', file: 'typed.ts' }]);
    const file = code.resolve('typed', undefined).file;
    await writeFile(path.join(dir, 'lib', 'label.ts'), 'export function label(uri: string): string {\n  return uri as as string;\n}\n');
    await until(() => log.lines.some((l) => l.includes('was not reloaded')), WAIT_MS, 'error line');
    expect(log.lines.find((l) => l.includes('was not reloaded'))).toContain(`${path.join(dir, 'lib', 'label.ts')}:2:`);
    expect(code.resolve('typed', undefined)).toMatchObject({ file, generation: 1 });
  });
});

describe('watching off and close()', () => {
  it('watch: false never reloads', async () => {
    const { dir, code } = await start([{ id: 'plain', file: 'plain.mjs' }], false);
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    await new Promise((r) => setTimeout(r, 300));
    expect(gen(code, 'plain')).toBe(1);
  });

  it('close() stops every watcher', async () => {
    const { dir, code, log } = await start([{ id: 'plain', file: 'plain.mjs' }, { id: 'typed', file: 'typed.ts' }]);
    await code.close();
    await writeFile(path.join(dir, 'plain-dep.mjs'), "export const BODY = 'two';\n");
    await writeFile(path.join(dir, 'lib', 'label.ts'), 'export const label = (u: string): string => u;\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(gen(code, 'plain')).toBe(1);
    expect(gen(code, 'typed')).toBe(1);
    expect(log.lines.filter((l) => l.includes('reloaded'))).toEqual([]);
  });
});
