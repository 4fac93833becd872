// TypeScript functions: compiled with esbuild at start, run by the real worker pool,
// and their errors reported at the user's own .ts lines through inline source maps.

import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedFunction } from '../../src/config/types.js';
import { ConfigError } from '../../src/config/errors.js';
import { memoryLogger, silentLogger } from '../../src/log.js';
import { createCodeSource, type LocalCodeSource } from '../../src/runtime/code.js';
import type { CodeRef } from '../../src/runtime/code-types.js';
import type { FunctionRuntime, InvokeOutcome } from '../../src/runtime/types.js';
import { expectOk, requestEvent, runtime } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/code/', import.meta.url));

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function project(): Promise<{ dir: string; stateDir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-ts-'));
  await cp(FIXTURES, dir, { recursive: true });
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return { dir, stateDir: path.join(dir, '.edgeproxy') };
}

async function registry(dir: string, stateDir: string, functions: Array<Record<string, unknown>>): Promise<LocalCodeSource> {
  const config = await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], functions }, baseDir: dir });
  const code = createCodeSource({ config, log: silentLogger, stateDir, watch: false });
  cleanup.push(() => code.close());
  return code;
}

/** Invokes a CodeRef through the real pool (the function's file is the ref's, for pools that predate `code`). */
function invoke(rt: FunctionRuntime, ref: CodeRef, uri = '/x'): Promise<InvokeOutcome> {
  const fn: ResolvedFunction = { id: ref.functionId, file: ref.file, exportName: ref.exportName, timeoutMs: undefined, memorySize: 128, reservedConcurrency: undefined };
  const event = requestEvent();
  event.Records[0]!.cf.request.uri = uri;
  return rt.invoke({ fn, code: ref, eventType: 'viewer-request', event, requestId: 'cf-req-id', timeoutMs: 5_000 });
}

/** The 1-based line of `needle` in a fixture, so the assertion follows the fixture if it is edited. */
async function lineOf(file: string, needle: string): Promise<number> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

describe('TypeScript $LATEST', () => {
  it('compiles into the state folder, bundling local imports, and runs in a worker', async () => {
    const { dir, stateDir } = await project();
    const code = await registry(dir, stateDir, [{ id: 'typed', file: 'typed.ts' }]);
    const ref = code.resolve('typed', undefined);
    expect(ref.version).toBe('$LATEST');
    expect(path.dirname(ref.file)).toBe(path.join(stateDir, 'build', 'typed'));
    expect(ref.file).toMatch(/typed-[0-9a-f]{16}\.mjs$/);
    const rt = runtime();
    expect(expectOk(await invoke(rt, ref, '/hello'))).toMatchObject({ status: '200', body: 'typed:/hello' });
  });

  it('reports an error thrown at line N of the .ts file as typed.ts:N', async () => {
    const { dir, stateDir } = await project();
    const code = await registry(dir, stateDir, [{ id: 'typed', file: 'typed.ts' }]);
    const line = await lineOf(path.join(dir, 'typed.ts'), "throw new Error('thrown on purpose");
    const log = memoryLogger();
    const rt = runtime({ log });
    const outcome = await invoke(rt, code.resolve('typed', undefined), '/throw');
    expect(outcome).toMatchObject({ ok: false, reason: 'error', errorType: 'Error', errorMessage: 'thrown on purpose from typed.ts' });
    const invokeError = log.lines.find((l) => l.includes('Invoke Error'));
    expect(invokeError).toBeDefined();
    expect(invokeError).toContain(`${path.join(dir, 'typed.ts')}:${line}:`);
    expect(invokeError).not.toContain('.edgeproxy');
  });

  it('compiles .cts as CommonJS (.cjs output) and runs a callback handler', async () => {
    const { dir, stateDir } = await project();
    const code = await registry(dir, stateDir, [{ id: 'common', file: 'common.cts' }]);
    const ref = code.resolve('common', undefined);
    expect(ref.file).toMatch(/common-[0-9a-f]{16}\.cjs$/);
    expect(await readFile(ref.file, 'utf8')).toContain('module.exports');
    expect(expectOk(await invoke(runtime(), ref))).toMatchObject({ body: 'from common.cts' });
  });

  it('leaves packages as imports that resolve from the project node_modules', async () => {
    const { dir, stateDir } = await project();
    const pkg = path.join(dir, 'node_modules', 'tiny-dep');
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), '{ "name": "tiny-dep", "type": "module", "exports": "./index.js" }\n');
    await writeFile(path.join(pkg, 'index.js'), "export const word: string = 'from-package';\n".replace(': string', ''));
    await writeFile(path.join(dir, 'uses-dep.ts'), "import { word } from 'tiny-dep';\nexport const handler = async (): Promise<unknown> => ({ status: '200', body: word });\n");
    const code = await registry(dir, stateDir, [{ id: 'dep', file: 'uses-dep.ts' }]);
    const ref = code.resolve('dep', undefined);
    expect(await readFile(ref.file, 'utf8')).toContain('from "tiny-dep"');
    expect(expectOk(await invoke(runtime(), ref))).toMatchObject({ body: 'from-package' });
  });

  it('fails start-up naming the file, line and column when it does not compile', async () => {
    const { dir, stateDir } = await project();
    const config = await loadConfig({
      object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], functions: [{ id: 'ok', file: 'plain.mjs' }, { id: 'broken', file: 'broken.ts' }] },
      baseDir: dir,
    });
    const file = path.join(dir, 'broken.ts');
    expect(() => createCodeSource({ config, log: silentLogger, stateDir, watch: false })).toThrow(
      new ConfigError('FunctionLoadError', `functions[1].file: ${file} does not compile: ${file}:3:26: Expected "}" but found ";"`),
    );
  });

  it('publishes a .ts version whose errors still point at the .ts line', async () => {
    const { dir, stateDir } = await project();
    const code = await registry(dir, stateDir, [{ id: 'typed', file: 'typed.ts' }]);
    expect(await code.publish('typed')).toEqual({ version: '1', created: true });
    const ref = code.resolve('typed', '1');
    expect(ref.file).toBe(path.join(stateDir, 'versions', 'typed', '1', 'index.mjs'));
    const line = await lineOf(path.join(dir, 'typed.ts'), "throw new Error('thrown on purpose");
    const log = memoryLogger();
    const rt = runtime({ log });
    expect(expectOk(await invoke(rt, ref, '/v'))).toMatchObject({ body: 'typed:/v' });
    await invoke(rt, ref, '/throw');
    expect(log.lines.find((l) => l.includes('Invoke Error'))).toContain(`${path.join(dir, 'typed.ts')}:${line}:`);
  });
});
