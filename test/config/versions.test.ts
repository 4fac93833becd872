// Qualified associations (`auth:3`, `auth:live`) and function aliases in the config (docs/cloudfront-reference.md §9.1, §3.9).
// Whether a numbered version is published is the code registry's check (test/runtime/code.test.ts).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { functionCodeSettings, splitFunctionRef } from '../../src/config/resolve/functions.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-versions-'));
  await writeFile(path.join(dir, 'auth.js'), 'exports.handler = async (e) => e.Records[0].cf.request;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ORIGINS = [{ id: 'o', url: 'http://127.0.0.1:3000' }];

function load(object: Record<string, unknown>) {
  return loadConfig({ object: { origins: ORIGINS, ...object }, baseDir: dir });
}

async function problems(object: Record<string, unknown>): Promise<string[]> {
  try {
    await load(object);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

const AUTH = { id: 'auth', file: 'auth.js', aliases: { live: { version: '2', additionalVersionWeights: { '3': 0.1 } } } };

describe('qualified associations', () => {
  it('splits name:version and name:alias in both association forms', async () => {
    const c = await load({
      functions: [AUTH],
      behaviors: [
        { pathPattern: '/a/*', functions: { 'viewer-request': 'auth:3', 'origin-request': { function: 'auth:live', includeBody: true } } },
        { pathPattern: '*', functions: { 'viewer-response': 'auth', 'origin-response': 'auth:$LATEST' } },
      ],
    });
    expect(c.behaviors[0]!.functions).toEqual({
      'viewer-request': { functionId: 'auth', qualifier: '3', includeBody: false },
      'origin-request': { functionId: 'auth', qualifier: 'live', includeBody: true },
    });
    expect(c.behaviors[1]!.functions['viewer-response']).toEqual({ functionId: 'auth', includeBody: false });
    expect('qualifier' in c.behaviors[1]!.functions['viewer-response']!).toBe(false);
    expect(c.behaviors[1]!.functions['origin-response']).toEqual({ functionId: 'auth', qualifier: '$LATEST', includeBody: false });
  });

  it('keeps ids that contain ":" whole (the ids --viewer-request makes)', () => {
    const known = new Set(['auth.js:viewer-request', 'auth']);
    expect(splitFunctionRef('auth.js:viewer-request', known)).toEqual({ functionId: 'auth.js:viewer-request', qualifier: undefined });
    expect(splitFunctionRef('auth.js:viewer-request:2', known)).toEqual({ functionId: 'auth.js:viewer-request', qualifier: '2' });
    expect(splitFunctionRef('auth:live', known)).toEqual({ functionId: 'auth', qualifier: 'live' });
    expect(splitFunctionRef('nope:1', known)).toEqual({ functionId: 'nope:1', qualifier: undefined });
  });

  it('names a bad qualifier with its path', async () => {
    expect(
      await problems({
        functions: [AUTH],
        behaviors: [
          { pathPattern: '/a/*', functions: { 'viewer-request': 'auth:beta', 'origin-request': { function: 'auth:0' } } },
          { pathPattern: '*', functions: { 'viewer-response': 'auth:', 'origin-response': 'nope:1' } },
        ],
      }),
    ).toEqual([
      'config: behaviors[0].functions.viewer-request: function "auth" has no alias "beta" (aliases: "live"); define it under the function\'s "aliases"',
      'config: behaviors[0].functions.origin-request.function: version numbers start at 1, got "0"',
      'config: behaviors[1].functions.origin-response: unknown function id "nope:1" (defined: "auth")',
      'config: behaviors[1].functions.viewer-response: nothing after ":" in "auth:"; name a version ("auth:1") or an alias',
    ]);
  });

  it('says a function has no aliases at all', async () => {
    expect(await problems({ functions: [{ id: 'auth', file: 'auth.js' }], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'auth:live' } }] })).toEqual([
      'config: behaviors[0].functions.viewer-request: function "auth" has no alias "live" (it has none); define it under the function\'s "aliases"',
    ]);
  });
});

describe('aliases', () => {
  it('resolves Lambda’s RoutingConfig shape; a version may be a number', async () => {
    const c = await load({ functions: [{ ...AUTH, aliases: { ...AUTH.aliases, stable: { version: 1, description: 'the old one' } } }] });
    const fn = c.functions.get('auth')!;
    const settings = functionCodeSettings(fn);
    expect(settings.configPath).toBe('functions[0]');
    expect(Object.fromEntries(settings.aliases)).toEqual({
      live: { name: 'live', version: '2', additional: { version: '3', weight: 0.1 } },
      stable: { name: 'stable', version: '1', additional: undefined },
    });
    expect(Object.isFrozen(settings.aliases.get('live'))).toBe(true);
    // The aliases travel on ResolvedFunction itself, in the open (config/types.ts), not in a side table.
    expect(Object.keys(fn).sort()).toEqual(['aliases', 'configPath', 'exportName', 'file', 'id', 'memorySize', 'reservedConcurrency', 'timeoutMs']);
    expect(fn.aliases).toBe(settings.aliases);
    expect(fn.configPath).toBe('functions[0]');
  });

  it('gives a function built by hand no aliases', () => {
    const fn = { id: 'x', file: '/x.js', exportName: 'handler', timeoutMs: undefined, memorySize: 128, reservedConcurrency: undefined };
    expect(functionCodeSettings(fn).aliases.size).toBe(0);
  });

  it('rejects $LATEST, non-numbers, two additional versions, bad weights and bad names, each with its path', async () => {
    expect(
      await problems({
        functions: [
          {
            id: 'auth',
            file: 'auth.js',
            aliases: {
              a: { version: '$LATEST' },
              b: { version: 'two' },
              c: { version: '1', additionalVersionWeights: { '2': 0.1, '3': 0.1 } },
              d: { version: '1', additionalVersionWeights: { '2': 1.5 } },
              e: { version: '1', additionalVersionWeights: { $LATEST: 0.5 } },
              f: { version: '1', additionalVersionWeights: { '1': 0.5 } },
              '42': { version: '1' },
              g: { version: '1', weights: {} },
            },
          },
        ],
      }),
    ).toEqual([
      'config: functions[0].aliases.a.version: an alias must point at a published version number, not $LATEST (AWS rule: versions and aliases)',
      'config: functions[0].aliases.b.version: must be a published version number like "2", got "two"',
      'config: functions[0].aliases.d.additionalVersionWeights.2: must be a weight between 0 and 1',
      'config: functions[0].aliases.g.weights: unknown field',
    ]);
    expect(
      await problems({
        functions: [
          {
            id: 'auth',
            file: 'auth.js',
            aliases: {
              c: { version: '1', additionalVersionWeights: { '2': 0.1, '3': 0.1 } },
              e: { version: '1', additionalVersionWeights: { $LATEST: 0.5 } },
              f: { version: '1', additionalVersionWeights: { '1': 0.5 } },
              '42': { version: '1' },
              'bad name': { version: '1' },
            },
          },
        ],
      }),
    ).toEqual([
      'config: functions[0].aliases.42: an alias name is 1-128 letters, digits, "-" or "_", and not only digits (digits name a version)',
      "config: functions[0].aliases.c.additionalVersionWeights: at most one additional version (Lambda's RoutingConfig, AWS rule: versions and aliases), got 2",
      'config: functions[0].aliases.e.additionalVersionWeights.$LATEST: an alias must route to published versions, not $LATEST (AWS rule: versions and aliases)',
      'config: functions[0].aliases.f.additionalVersionWeights.1: must be a version other than the alias\'s own version "1"',
      'config: functions[0].aliases.bad name: an alias name is 1-128 letters, digits, "-" or "_", and not only digits (digits name a version)',
    ]);
  });
});
