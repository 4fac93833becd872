// check(): load once at start, before listening; a broken function is a ConfigError naming file and export.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { displayPath } from '../../src/runtime/load-diagnosis.js';
import { resolveWorkerScript } from '../../src/runtime/worker-start.js';
import { expectOk, field, fnDef, header, req, runtime, within } from './helpers.js';

async function checkError(file: string, over: Parameters<typeof fnDef>[1] = {}): Promise<ConfigError> {
  const fn = fnDef(file, over);
  const err = await within(
    runtime().check(fn).then(
      () => undefined,
      (e: unknown) => e,
    ),
    15_000,
    `check ${file}`,
  );
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError for ${file}, got ${String(err)}`);
  return err;
}

describe('check()', () => {
  it('names the file and what it exports when the export is missing', async () => {
    const e = await checkError('no-handler.js', { id: 'auth' });
    expect(e.message).toBe(`functions[auth]: ${displayPath(fnDef('no-handler.js').file)} has no export "handler" (exports: main, other)`);
  });

  it('says so when the export is not a function', async () => {
    const e = await checkError('no-handler.js', { id: 'auth', exportName: 'other' });
    expect(e.message).toContain('export "other" is a number, not a function');
  });

  it.each(['syntax-error.js', 'syntax-error.mjs'])('gives the line of a syntax error in %s', async (file) => {
    const e = await checkError(file, { id: 'auth' });
    expect(e.message).toMatch(new RegExp(`^functions\\[auth\\]: \\S*${file.replace('.', '\\.')} failed to load: SyntaxError: Unexpected token .+ \\(\\S*${file.replace('.', '\\.')}:3\\)$`));
  });

  it('rejects a missing file', async () => {
    const e = await checkError('does-not-exist.js', { id: 'auth' });
    expect(e.message).toMatch(/^functions\[auth\]: \S*does-not-exist\.js does not exist$/);
  });

  it('reports what the module threw while loading', async () => {
    const e = await checkError('top-level-throw.js', { id: 'init' });
    expect(e.message).toMatch(/top-level-throw\.js failed to load: Error: init failed in top-level-throw\.js$/);
  });

  it('passes for a good module without running the handler, and keeps the worker warm', async () => {
    const rt = runtime({ max: 1 });
    const fn = fnDef('counter.js');
    await within(rt.check(fn), 10_000, 'check');
    const r = expectOk(await within(rt.invoke(req(fn)), 10_000, 'invoke'));
    // The check did not call the handler: this is the first invocation.
    expect(header(r, 'x-counter')).toBe('1');
  });

  it('accepts another export name', async () => {
    const rt = runtime();
    const fn = fnDef('no-handler.js', { exportName: 'main' });
    await within(rt.check(fn), 10_000, 'check');
    expect(expectOk(await within(rt.invoke(req(fn)), 10_000, 'invoke'))).toBeNull();
  });

  it('finds module.exports.handler of a .cjs file', async () => {
    const rt = runtime();
    const fn = fnDef('cjs.cjs');
    await within(rt.check(fn), 10_000, 'check');
    expect(header(expectOk(await rt.invoke(req(fn))), 'x-fixture')).toBe('cjs');
    expect(field(expectOk(await rt.invoke(req(fn))), 'method')).toBe('GET');
  });
});

describe('resolveWorkerScript()', () => {
  it('uses the built worker in dist/ when running from TypeScript sources', () => {
    expect(resolveWorkerScript('file:///repo/src/runtime/pool.ts')).toBe('/repo/dist/src/runtime/worker/worker.js');
  });

  it('uses the sibling worker when running built JavaScript', () => {
    expect(resolveWorkerScript('file:///repo/dist/src/runtime/pool.js')).toBe('/repo/dist/src/runtime/worker/worker.js');
  });
});
