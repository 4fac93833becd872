import { describe, expect, it } from 'vitest';
import { DEFAULTS, estimateSeconds, parseBenchArgs } from '../../bench/lib/args.js';
import { parseLoadCommand, parseServerMessage } from '../../bench/lib/messages.js';
import { pairedRatios, renderTable, summarize, type RunRecord, type ScenarioReport } from '../../bench/lib/report.js';
import { replayHeaders, xCacheOf, type Sample } from '../../bench/lib/sample.js';
import { LatencyHistogram, median } from '../../bench/lib/stats.js';
import { formatMarkdownTable, formatTable } from '../../bench/lib/table.js';
import { SCENARIOS, selectScenarios } from '../../bench/scenarios.js';

describe('stats', () => {
  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('histogram percentiles at microsecond resolution (nearest rank)', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMs(i / 1000); // 1 µs … 1000 µs
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBe(500);
    expect(s.p99).toBe(990);
    expect(s.p999).toBe(999);
    expect(s.max).toBe(1000);
  });

  it('histogram keeps values beyond 100 ms in millisecond buckets', () => {
    const h = new LatencyHistogram();
    h.recordMs(0.2);
    h.recordMs(250.7);
    expect(h.percentileUs(1)).toBe(250_000);
    expect(h.percentileUs(0.5)).toBe(200);
  });
});

describe('args', () => {
  it('defaults fit the 4-minute budget of scenarios a-1k…g, and the nginx rows add under a minute', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({ duration: DEFAULTS.duration, warmup: DEFAULTS.warmup, connections: 50, repeat: 3, micro: false });
    expect(o.json.endsWith('bench/results/latest.json')).toBe(true);
    const all = selectScenarios(undefined);
    const nginx = all.filter((s) => s.target.kind === 'nginx');
    expect(nginx.map((s) => s.name)).toEqual(['n-hit', 'n-miss']);
    expect(estimateSeconds(all.filter((s) => s.target.kind !== 'nginx'), o)).toBeLessThan(240);
    expect(estimateSeconds(nginx, o)).toBeLessThan(60);
  });

  it('parses every option', () => {
    const o = parseBenchArgs(['--duration', '8', '--warmup', '0', '--connections', '10', '--scenario', 'a*', '--repeat', '5', '--micro']);
    expect(o).toMatchObject({ duration: 8, warmup: 0, connections: 10, scenario: 'a*', repeat: 5, micro: true });
  });

  it('names the option and the value it rejects', () => {
    expect(() => parseBenchArgs(['--duration', 'abc'])).toThrow('--duration: expected a number from 0.5 to 600, got "abc"');
    expect(() => parseBenchArgs(['--repeat', '1.5'])).toThrow('--repeat: expected an integer');
    expect(() => parseBenchArgs(['--bogus'])).toThrow(/bogus/);
  });
});

describe('scenario selection', () => {
  it('default set is the issue scenarios a-1k…g and the nginx rows, calibration excluded', () => {
    expect(selectScenarios(undefined).map((s) => s.name)).toEqual(['a-1k', 'a-64k', 'b', 'c', 'd', 'e', 'f', 'n-hit', 'n-miss', 'g']);
  });

  it('globs and comma lists, in table order', () => {
    expect(selectScenarios('c,a*').map((s) => s.name)).toEqual(['a-1k', 'a-64k', 'c']);
    expect(selectScenarios('cal-*').map((s) => s.name)).toEqual(['cal-limit', 'cal-passthrough']);
  });

  it('a filter that matches nothing is an error naming it', () => {
    expect(() => selectScenarios('zz')).toThrow('--scenario: "zz" matches no scenario');
  });

  it('every limit-baselined scenario can run the limit without a target', () => {
    for (const s of SCENARIOS) if (s.baseline.kind === 'limit') expect(s.fallback, s.name).toBeDefined();
  });
});

describe('IPC message guards', () => {
  it('accept well-formed messages and reject others', () => {
    expect(parseServerMessage({ type: 'ready', url: 'http://127.0.0.1:1' })).toEqual({ type: 'ready', url: 'http://127.0.0.1:1' });
    expect(parseServerMessage({ type: 'ready' })).toBeUndefined();
    expect(parseServerMessage('ready')).toBeUndefined();
    const cmd = { type: 'run', id: 1, url: 'u', connections: 5, durationSec: 1, request: { method: 'GET', path: '/' } };
    expect(parseLoadCommand(cmd)).toEqual(cmd);
    expect(parseLoadCommand({ ...cmd, request: { method: 'PUT', path: '/' } })).toBeUndefined();
  });
});

describe('samples', () => {
  const sample: Sample = {
    status: 200,
    rawHeaders: ['Content-Type', 'a/b', 'Date', 'x', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'X-Cache', 'Hit from cloudfront'],
    body: Buffer.alloc(0),
  };
  it('replayHeaders drops what node:http adds itself and keeps order', () => {
    expect(replayHeaders(sample)).toEqual([
      ['Content-Type', 'a/b'],
      ['X-Cache', 'Hit from cloudfront'],
    ]);
  });
  it('xCacheOf strips " from cloudfront"', () => {
    expect(xCacheOf(sample)).toBe('Hit');
  });
});

function run(repeat: number, role: 'target' | 'baseline', rps: number, p99: number): RunRecord {
  return {
    repeat,
    role,
    ok: true,
    cpuUsPerReq: 20,
    originCpuUsPerReq: undefined,
    peakRssBytes: 50 * 2 ** 20 + repeat,
    load: {
      requests: rps * 3,
      durationSec: 3,
      reqPerSec: rps,
      bytes: 1,
      mbPerSec: 1,
      errors: 0,
      timeouts: 0,
      non2xx: repeat === 2 ? 1 : 0,
      statusCodes: {},
      latencyUs: { p50: 1000, p99: p99, p999: p99 * 2, max: p99 * 3, mean: 1000, count: rps * 3 },
    },
  };
}

describe('report', () => {
  const target = [run(1, 'target', 900, 2000), run(2, 'target', 450, 2000), run(3, 'target', 800, 2000)];
  const baseline = [run(1, 'baseline', 1000, 1000), run(2, 'baseline', 500, 1000), { repeat: 3, role: 'baseline' as const, ok: false as const, error: 'x' }];

  it('pairs ratios per repeat and skips repeats where either run failed', () => {
    expect(pairedRatios(target, baseline)).toEqual({ rps: [0.9, 0.9], p99: [2, 2] });
  });

  it('summarizes medians, sums errors, takes the peak RSS', () => {
    const s = summarize(target);
    expect(s).toMatchObject({ runs: 3, reqPerSec: 800, p99Us: 2000, non2xx: 1, peakRssBytes: 50 * 2 ** 20 + 3 });
  });

  it('renders n/a rows with the reason', () => {
    const r: ScenarioReport = {
      name: 'a-1k',
      title: 't',
      loadAvg1m: 0,
      target: { label: 'edgeproxy', kind: 'edgeproxy', status: 'n/a', reason: 'src/index.ts is not there yet', runs: [] },
      baseline: { label: 'limit', kind: 'limit', status: 'ok', runs: baseline, summary: summarize(baseline) },
      notes: [],
    };
    const table = renderTable([r]);
    expect(table).toContain('n/a (not available: src/index.ts is not there yet)');
    expect(table).toMatch(/limit\s+750\s/);
  });

  it('renders Markdown with right-aligned number columns and escaped pipes', () => {
    expect(formatMarkdownTable(['a', 'n'], [['x|y', '1']], ['l', 'r'])).toBe('| a | n |\n|---|---:|\n| x\\|y | 1 |');
  });

  it('aligns columns', () => {
    const t = formatTable(['a', 'n'], [['xx', '1'], ['y', '100']], ['l', 'r']).split('\n');
    expect(t).toEqual(['a     n', '--  ---', 'xx    1', 'y   100']);
  });
});
