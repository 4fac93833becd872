// The `runtime` settings and functions' reservedConcurrency: the config layer is their only check and
// the only place their defaults are applied (src/config/defaults.ts); the runtime trusts what it gets.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_PREWARM } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_WORKERS_PER_FUNCTION } from '../../src/config/resolve/settings.js';
import { ConfigError } from '../../src/config/errors.js';

const FUNCTIONS = fileURLToPath(new URL('../fixtures/functions/', import.meta.url));

function config(patch: Record<string, unknown> = {}, reservations: Array<number | undefined> = []): Record<string, unknown> {
  return {
    origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }],
    functions: reservations.map((reservedConcurrency, i) => ({ id: `f${i}`, file: 'counter.js', reservedConcurrency })),
    ...patch,
  };
}

async function problem(object: Record<string, unknown>): Promise<string> {
  try {
    await loadConfig({ object, baseDir: FUNCTIONS });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('InvalidConfig');
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('reservedConcurrency against runtime.accountConcurrency (docs/cloudfront-reference.md §9.2)', () => {
  it('refuses reservations that add up to more than the account limit, naming both settings', async () => {
    const message = await problem(config({ runtime: { accountConcurrency: 10 } }, [6, 5]));
    expect(message).toMatch(/reservedConcurrency.*add up to 11.*accountConcurrency \(10\)/);
    expect(message).toBe('config: functions[].reservedConcurrency: the reservations add up to 11, more than runtime.accountConcurrency (10)');
  });

  it('counts them against the default account limit when none is set', async () => {
    expect(await problem(config({}, [600, 401]))).toBe(
      `config: functions[].reservedConcurrency: the reservations add up to 1001, more than runtime.accountConcurrency (${DEFAULT_ACCOUNT_CONCURRENCY})`,
    );
  });

  it('accepts reservations that take the whole account limit, and functions without one', async () => {
    const c = await loadConfig({ object: config({ runtime: { accountConcurrency: 10 } }, [6, 4, undefined]), baseDir: FUNCTIONS });
    expect([...c.functions.values()].map((f) => f.reservedConcurrency)).toEqual([6, 4, undefined]);
    expect(c.runtime.accountConcurrency).toBe(10);
  });
});

describe('runtime settings', () => {
  it.each([
    [{ maxWorkersPerFunction: 0 }, 'runtime.maxWorkersPerFunction: must be at least 1'],
    [{ maxWorkersPerFunction: 1.5 }, 'runtime.maxWorkersPerFunction: must be a whole number'],
    [{ accountConcurrency: 0 }, 'runtime.accountConcurrency: must be at least 1'],
    [{ accountConcurrency: 2.5 }, 'runtime.accountConcurrency: must be a whole number'],
    [{ idleTimeout: 0 }, 'runtime.idleTimeout: must be a number of seconds > 0'],
    [{ idleTimeout: -1 }, 'runtime.idleTimeout: must be a number of seconds > 0'],
  ])('refuses %j', async (runtime, message) => {
    expect(await problem(config({ runtime }))).toBe(`config: ${message}`);
  });

  it('refuses a negative or fractional reservedConcurrency', async () => {
    expect(await problem(config({}, [-1]))).toBe('config: functions[0].reservedConcurrency: must be at least 0');
    expect(await problem(config({}, [0.5]))).toBe('config: functions[0].reservedConcurrency: must be a whole number');
  });

  it('fills the defaults of src/config/defaults.ts, the idle timeout in ms', async () => {
    const c = await loadConfig({ object: config(), baseDir: FUNCTIONS });
    expect(c.runtime).toEqual({
      maxWorkersPerFunction: DEFAULT_WORKERS_PER_FUNCTION,
      accountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY,
      idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_S * 1000,
      prewarm: DEFAULT_PREWARM,
    });
  });

  it('turns the idle timeout into whole milliseconds', async () => {
    const c = await loadConfig({ object: config({ runtime: { idleTimeout: 0.0504, prewarm: true } }), baseDir: FUNCTIONS });
    expect(c.runtime).toMatchObject({ idleTimeoutMs: 50, prewarm: true });
  });
});
