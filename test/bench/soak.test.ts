// The soak (bench/soak.ts) end to end on the built bench, for 3 s: it starts its origin and
// edgeproxy, checks every answer against its request, and reports statuses and RSS. Bounded: 3 s of
// load, 16 connections. Its numbers are reported in docs/benchmarks.md, never asserted here.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchScript } from '../../bench/lib/paths.js';

const built = existsSync(benchScript('soak.js'));
const dir = mkdtempSync(join(tmpdir(), 'soak-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built)('soak (built)', () => {
  it('runs its mix for the given time, finds every body belongs to its request, and reports statuses and RSS', async () => {
    const json = join(dir, 'soak.json');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile('node', [benchScript('soak.js'), '--duration', '3', '--connections', '8', '--json', json], { timeout: 60_000 }, (err, out) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout: out });
      });
      child.stdin?.end();
    });
    expect(stdout).toContain('| kind | share | requests | statuses | wrong bodies | cut | unexpected |');
    expect(stdout).toMatch(/wrong bodies: 0; unexpected outcomes: \d+/);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      total: number;
      wrong: number;
      samples: Array<{ rssMb: number }>;
      stats: Record<string, { requests: number; statuses: Record<string, number> }>;
    };
    expect(report.total).toBeGreaterThan(0);
    expect(report.wrong).toBe(0);
    expect(report.samples.length).toBeGreaterThanOrEqual(3);
    if (process.platform === 'linux') expect(report.samples.every((s) => s.rssMb > 10)).toBe(true);
    // The common kinds happened and got what they should.
    expect(Object.keys(report.stats.cache?.statuses ?? {})).toEqual(['200']);
    expect(report.stats.cache?.requests).toBeGreaterThan(0);
  }, 90_000);
});
