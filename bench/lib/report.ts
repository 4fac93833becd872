// The bench's results as data (written to JSON) and as the one table it prints.

import type { LoadResult } from './messages.js';
import type { PrefillResult } from './sample.js';
import { max, median } from './stats.js';
import { fmtFixed, fmtInt, fmtMs, formatMarkdownTable, formatTable, type Align } from './table.js';

export type ServerKind = 'edgeproxy' | 'limit' | 'passthrough' | 'origin' | 'nginx';

export type Role = 'target' | 'baseline';

export type RunRecord =
  | {
      repeat: number;
      role: Role;
      ok: true;
      load: LoadResult;
      /** Server CPU (all threads) during the run, per completed request. */
      cpuUsPerReq: number | undefined;
      /** The origin's CPU per request, for scenarios whose server talks to it (c, d, e; misses). */
      originCpuUsPerReq: number | undefined;
      /** VmHWM of the measured server after the run: its peak since start. */
      peakRssBytes: number | undefined;
    }
  | { repeat: number; role: Role; ok: false; error: string };

interface RoleSummary {
  runs: number;
  reqPerSec: number | undefined;
  p50Us: number | undefined;
  p99Us: number | undefined;
  p999Us: number | undefined;
  mbPerSec: number | undefined;
  errors: number;
  non2xx: number;
  peakRssBytes: number | undefined;
  cpuUsPerReq: number | undefined;
  originCpuUsPerReq: number | undefined;
}

export interface RoleReport {
  label: string;
  kind: ServerKind;
  status: 'ok' | 'n/a' | 'failed';
  reason?: string;
  sample?: { status: number; xCache: string | undefined; bodyBytes: number; headerCount: number };
  runs: RunRecord[];
  summary?: RoleSummary;
}

export interface ScenarioReport {
  name: string;
  title: string;
  /** 1-minute load average when the scenario started: above ~0.5 something else shared the cores. */
  loadAvg1m: number;
  target: RoleReport;
  baseline: RoleReport;
  /** Median over repeats of target req/s ÷ baseline req/s of the same repeat (pairs share the machine's noise). */
  ratio?: number;
  /** Same pairing for p99 latency (target ÷ baseline; lower is better). */
  p99Ratio?: number;
  prefill?: PrefillResult & { hitCheck?: { hits: number; checked: number } };
  notes: string[];
}

export function summarize(runs: readonly RunRecord[]): RoleSummary {
  const ok = runs.flatMap((r) => (r.ok ? [r] : []));
  const defined = (xs: Array<number | undefined>): number[] => xs.filter((x): x is number => x !== undefined);
  return {
    runs: ok.length,
    reqPerSec: median(ok.map((r) => r.load.reqPerSec)),
    p50Us: median(ok.map((r) => r.load.latencyUs.p50)),
    p99Us: median(ok.map((r) => r.load.latencyUs.p99)),
    p999Us: median(ok.map((r) => r.load.latencyUs.p999)),
    mbPerSec: median(ok.map((r) => r.load.mbPerSec)),
    errors: ok.reduce((n, r) => n + r.load.errors + r.load.timeouts, 0),
    non2xx: ok.reduce((n, r) => n + r.load.non2xx, 0),
    peakRssBytes: max(defined(ok.map((r) => r.peakRssBytes))),
    cpuUsPerReq: median(defined(ok.map((r) => r.cpuUsPerReq))),
    originCpuUsPerReq: median(defined(ok.map((r) => r.originCpuUsPerReq))),
  };
}

/** Per repeat, target ÷ baseline for runs that both succeeded in that repeat. */
export function pairedRatios(target: readonly RunRecord[], baseline: readonly RunRecord[]): { rps: number[]; p99: number[] } {
  const rps: number[] = [];
  const p99: number[] = [];
  for (const t of target) {
    const b = baseline.find((x) => x.repeat === t.repeat);
    if (!t.ok || !b?.ok) continue;
    if (b.load.reqPerSec > 0) rps.push(t.load.reqPerSec / b.load.reqPerSec);
    if (b.load.latencyUs.p99 > 0) p99.push(t.load.latencyUs.p99 / b.load.latencyUs.p99);
  }
  return { rps, p99 };
}

const COLUMNS: ReadonlyArray<[string, Align]> = [
  ['scenario', 'l'],
  ['server', 'l'],
  ['req/s', 'r'],
  ['p50 ms', 'r'],
  ['p99 ms', 'r'],
  ['p99.9 ms', 'r'],
  ['MB/s', 'r'],
  ['err/non2xx', 'r'],
  ['RSS MB', 'r'],
  ['CPU µs/req', 'r'],
  ['× base', 'r'],
  ['note', 'l'],
];

function roleRow(name: string, r: RoleReport, ratio: string, note: string): string[] {
  const m = r.summary;
  if (r.status !== 'ok' || !m || m.runs === 0) {
    const why = r.status === 'n/a' ? `n/a (not available: ${r.reason ?? '?'})` : `failed: ${r.reason ?? 'no successful run'}`;
    return [name, r.label, '-', '-', '-', '-', '-', '-', '-', '-', '-', why];
  }
  const cpu = m.cpuUsPerReq === undefined ? '-' : fmtFixed(m.cpuUsPerReq, 1) + (m.originCpuUsPerReq === undefined ? '' : `+${fmtFixed(m.originCpuUsPerReq, 1)}`);
  return [
    name,
    r.label,
    fmtInt(m.reqPerSec),
    fmtMs(m.p50Us),
    fmtMs(m.p99Us),
    fmtMs(m.p999Us),
    fmtFixed(m.mbPerSec, 1),
    `${m.errors}/${m.non2xx}`,
    m.peakRssBytes === undefined ? '-' : fmtInt(m.peakRssBytes / 2 ** 20),
    cpu,
    ratio,
    note,
  ];
}

function tableRows(reports: readonly ScenarioReport[]): string[][] {
  const rows: string[][] = [];
  for (const r of reports) {
    const notes = [...r.notes];
    if (r.target.sample?.xCache) notes.unshift(`X-Cache ${r.target.sample.xCache}`);
    if (r.p99Ratio !== undefined) notes.push(`p99 ${r.p99Ratio.toFixed(2)}× base`);
    rows.push(roleRow(r.name, r.target, r.ratio === undefined ? '-' : r.ratio.toFixed(2), notes.join('; ')));
    rows.push(roleRow('', r.baseline, '', ''));
  }
  return rows;
}

export function renderTable(reports: readonly ScenarioReport[]): string {
  return formatTable(
    COLUMNS.map((c) => c[0]),
    tableRows(reports),
    COLUMNS.map((c) => c[1]),
  );
}

/** The same table as Markdown, with the machine and the command, ready for the README. */
export function renderMarkdown(reports: readonly ScenarioReport[], meta: { machine: string; command: string; when: string; legend: string }): string {
  return [
    `Measured ${meta.when} on ${meta.machine}.`,
    '',
    formatMarkdownTable(
      COLUMNS.map((c) => c[0]),
      tableRows(reports),
      COLUMNS.map((c) => c[1]),
    ),
    '',
    meta.legend,
    '',
    `Reproduce: \`${meta.command}\``,
    '',
  ].join('\n');
}


/**
 * edgeproxy against nginx in the same run: each scenario's ratio to its baseline divided by
 * nginx's ratio to the same kind of baseline (a hit against the limit, a miss against the bare
 * passthrough). Above 1.00 edgeproxy is the faster of the two. Empty when nginx did not run.
 */
export function nginxComparison(reports: readonly ScenarioReport[]): string[] {
  const byName = new Map(reports.map((r) => [r.name, r] as const));
  const lines: string[] = [];
  const pairs: ReadonlyArray<[string, string, string]> = [
    ['a-1k', 'n-hit', 'nginx proxy_cache hit'],
    ['c', 'n-miss', 'nginx proxy_pass miss'],
  ];
  for (const [ours, theirs, what] of pairs) {
    const a = byName.get(ours);
    const n = byName.get(theirs);
    if (n && n.target.status === 'n/a') {
      lines.push(`${ours} vs ${what}: n/a (${n.target.reason ?? 'nginx not available'})`);
      continue;
    }
    if (a?.ratio === undefined || n?.ratio === undefined) continue;
    lines.push(`${ours} vs ${what}: edgeproxy ${a.ratio.toFixed(2)} × ${a.baseline.label}, nginx ${n.ratio.toFixed(2)} × ${n.baseline.label} → edgeproxy ÷ nginx ${(a.ratio / n.ratio).toFixed(2)}`);
  }
  return lines;
}
