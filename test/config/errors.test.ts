// Configuration and command-line errors by code (src/config/errors.ts): each produced the way a user
// meets it — a command line, a config file, a function file — with the exit status the CLI uses.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli-args.js';
import { CONFIG_ERRORS, ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { startProxy } from '../helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-config-errors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What `fn` threw, which must be a ConfigError. */
async function configError(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('config and command-line error codes', () => {
  it('an unknown option → UsageError, exit status 2', async () => {
    const e = await configError(() => parseCliArgs(['--colour']));
    expect(e).toMatchObject({ code: 'UsageError', exitCode: 2, message: '--colour: unknown option (see edgeproxy --help)' });
  });

  it('flags that cannot go with a config file → UsageError', async () => {
    const e = await configError(() => loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:8081' }] }, flags: { 'viewer-request': 'f.js' } }));
    expect(e.code).toBe('UsageError');
    expect(e.message).toMatch(/^--viewer-request: cannot be combined with a config file/);
  });

  it('--config naming a missing file → ConfigFileNotFound', async () => {
    const file = path.join(dir, 'missing.json');
    const e = await configError(() => loadConfig({ file }));
    expect(e).toMatchObject({ code: 'ConfigFileNotFound', exitCode: CONFIG_ERRORS.ConfigFileNotFound.exitCode });
    expect(e.message).toContain(file);
  });

  it('a config file that is not JSON, or a module without a default export → ConfigFileUnreadable', async () => {
    const json = path.join(dir, 'broken.json');
    await writeFile(json, '{ "origins": [ }');
    const bad = await configError(() => loadConfig({ file: json }));
    expect(bad.code).toBe('ConfigFileUnreadable');
    expect(bad.message).toMatch(/broken\.json:1:16: invalid JSON: unexpected "}"/);

    const mod = path.join(dir, 'named.mjs');
    await writeFile(mod, 'export const config = {};\n');
    const noDefault = await configError(() => loadConfig({ file: mod }));
    expect(noDefault).toMatchObject({ code: 'ConfigFileUnreadable', message: `${mod}: must export the configuration as its default export` });
  });

  it('a value that breaks a rule → InvalidConfig, one line per problem naming the field', async () => {
    const e = await configError(() =>
      loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:8081' }], behaviors: [{ pathPattern: '/a', origin: 'o', allowedMethods: ['GET'] }, { pathPattern: '*', origin: 'nope' }] } }),
    );
    expect(e.code).toBe('InvalidConfig');
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config: behaviors\[0\]\.allowedMethods: must be one of/);
    expect(lines[1]).toMatch(/^config: behaviors\[1\]\.origin: unknown origin id "nope"/);
  });

  it('a function file without the configured export → FunctionLoadError at start, listing the exports it has', async () => {
    const e = await configError(() =>
      startProxy({
        origins: [{ id: 'o', url: 'http://127.0.0.1:8081' }],
        functions: [{ id: 'f', file: 'e2e/fns.mjs', export: 'notThere' }],
        behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'f' } }],
      }),
    );
    expect(e.code).toBe('FunctionLoadError');
    expect(e.message).toMatch(/^functions\[f\]: .*fns\.mjs has no export "notThere" \(exports: .*generate/);
  });
});
