// `npm run bench`: starts the servers each scenario needs (origin, edgeproxy, limit or passthrough)
// as child processes, drives them with autocannon from another child, and prints one table of
// medians with each target's ratio to the baseline measured in the same run (docs/benchmarks.md).
// Benchmarks are reported, never asserted.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { estimateSeconds, parseBenchArgs, USAGE, type BenchOptions } from './lib/args.js';
import { installChildReaper, startServer, type ServerChild, type StartOutcome } from './lib/children.js';
import { LoadGenerator } from './lib/loadgen-client.js';
import { benchScript, FUNCTIONS_DIR, REPO_ROOT } from './lib/paths.js';
import { processCpuUs, processTreeCpuUs, processTreePeakRssBytes } from './lib/procstat.js';
import { nginxComparison, pairedRatios, renderMarkdown, renderTable, summarize, type Role, type RoleReport, type ServerKind, type RunRecord, type ScenarioReport } from './lib/report.js';
import { hitRate, prefill, replayHeaders, sampleRequest, xCacheOf, type Sample } from './lib/sample.js';
import { median } from './lib/stats.js';
import { fmtDuration, fmtInt } from './lib/table.js';
import { CALIBRATION, SCENARIOS, selectScenarios, type FallbackResponse, type Scenario, type ServerRole } from './scenarios.js';
import { isMain } from './servers/common.js';
import type { LimitSpec } from './servers/limit.js';

interface Live {
  role: Role;
  report: RoleReport;
  server: ServerChild;
}

const progress = (s: string): boolean => process.stderr.write(s);

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sampleInfo(s: Sample): NonNullable<RoleReport['sample']> {
  return { status: s.status, xCache: xCacheOf(s), bodyBytes: s.body.length, headerCount: s.rawHeaders.length / 2 };
}

/** What the limit server answers when there is no edgeproxy response to copy: CloudFront's header set (docs/cloudfront-reference.md §5.4). */
function fallbackLimitSpec(f: FallbackResponse): LimitSpec {
  const body = Buffer.alloc(f.bodyBytes, 'edgeproxy-bench ');
  const headers: Array<[string, string]> = [
    ['Content-Type', f.contentType],
    ['Content-Length', String(body.length)],
    ['Cache-Control', f.cacheControl],
    ...f.extraHeaders,
    ['X-Cache', `${f.xCache} from cloudfront`],
    ['Via', '1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)'],
    ['X-Amz-Cf-Pop', 'IAD79-C3'],
    // 56 characters like a real X-Amz-Cf-Id (docs/cloudfront-reference.md §1.1), so byte counts match.
    ['X-Amz-Cf-Id', `${'A'.repeat(54)}==`],
  ];
  if (f.age) headers.push(['Age', '0']);
  return { status: f.status, headers, bodyBase64: body.toString('base64') };
}

class Scenarios {
  private readonly loadgen = new LoadGenerator();
  private readonly tmp: string;

  constructor(private readonly opts: BenchOptions) {
    this.tmp = mkdtempSync(join(tmpdir(), 'edgeproxy-bench-'));
    process.on('exit', () => rmSync(this.tmp, { recursive: true, force: true }));
  }

  async close(): Promise<void> {
    await this.loadgen.close();
  }

  private writeSpec(name: string, data: unknown): string {
    const file = join(this.tmp, `${name}.json`);
    writeFileSync(file, JSON.stringify(data));
    return file;
  }

  private async startRole(
    s: Scenario,
    role: Role,
    spec: ServerRole,
    origin: ServerChild,
    targetSample: Sample | undefined,
  ): Promise<{ report: RoleReport; server?: ServerChild }> {
    const originUrl = origin.url;
    const report: RoleReport = { label: spec.label, kind: spec.kind, status: 'ok', runs: [] };
    let outcome: StartOutcome;
    switch (spec.kind) {
      case 'edgeproxy': {
        const file = this.writeSpec(`${s.name}-${role}`, { config: spec.config(originUrl), baseDir: FUNCTIONS_DIR });
        outcome = await startServer(`edgeproxy (${s.name} ${role})`, benchScript('servers/edgeproxy.js'), [file], 30_000);
        break;
      }
      case 'limit': {
        let limitSpec: LimitSpec;
        if (targetSample) {
          limitSpec = { status: targetSample.status, headers: replayHeaders(targetSample), bodyBase64: targetSample.body.toString('base64') };
        } else if (s.fallback) {
          limitSpec = fallbackLimitSpec(s.fallback);
        } else {
          return { report: { ...report, status: 'failed', reason: 'limit baseline needs a target sample or a fallback response' } };
        }
        outcome = await startServer('limit', benchScript('servers/limit.js'), [this.writeSpec(`${s.name}-limit`, limitSpec)]);
        break;
      }
      case 'passthrough':
        outcome = await startServer('passthrough', benchScript('servers/passthrough.js'), [originUrl]);
        break;
      case 'nginx':
        outcome = await startServer(`nginx (${spec.mode})`, benchScript('servers/nginx.js'), [spec.mode, originUrl]);
        break;
      case 'origin':
        return { report, server: origin };
      default: {
        const never: never = spec;
        throw new Error(`unknown server kind ${JSON.stringify(never)}`);
      }
    }
    if (!outcome.ok) {
      return { report: { ...report, status: outcome.unavailable ? 'n/a' : 'failed', reason: outcome.reason } };
    }
    return { report, server: outcome.server };
  }

  /** Sends the scenario's request (twice when a hit is wanted) and fails the role unless the answer is 2xx. */
  private async check(s: Scenario, live: Live): Promise<Sample | undefined> {
    try {
      if (s.primeForHit) await sampleRequest(live.server.url, s.request);
      const sample = await sampleRequest(live.server.url, s.request);
      live.report.sample = sampleInfo(sample);
      if (sample.status < 200 || sample.status > 299) {
        const xc = xCacheOf(sample);
        const body = sample.body.toString('utf8', 0, Math.min(sample.body.length, 160)).replace(/\s+/g, ' ').trim();
        live.report.status = 'failed';
        live.report.reason = `answered ${sample.status}${xc ? ` (X-Cache: ${xc})` : ''}: ${body}`;
        return undefined;
      }
      return sample;
    } catch (e) {
      live.report.status = 'failed';
      live.report.reason = `sample request failed: ${errText(e)}`;
      return undefined;
    }
  }

  private async measure(s: Scenario, live: Live, repeat: number, origin: ServerChild): Promise<RunRecord> {
    const o = this.opts;
    progress(`${s.name}: run ${repeat}/${o.repeat} ${live.role} (${live.report.label})… `);
    // The origin's CPU counts only where the measured server forwards to it.
    const usesOrigin = live.report.kind === 'edgeproxy' || live.report.kind === 'passthrough' || live.report.kind === 'nginx';
    const cpu0 = processTreeCpuUs(live.server.pid);
    const ocpu0 = usesOrigin ? processCpuUs(origin.pid) : undefined;
    try {
      const load = await this.loadgen.run(live.server.url, o.connections, o.duration, s.request);
      const cpu1 = processTreeCpuUs(live.server.pid);
      const ocpu1 = usesOrigin ? processCpuUs(origin.pid) : undefined;
      const perReq = (a: number | undefined, b: number | undefined): number | undefined =>
        a === undefined || b === undefined || load.requests === 0 ? undefined : (b - a) / load.requests;
      // Below 5 ticks (50 ms) over the whole run the origin was idle (hits, generated responses): tick noise, not cost.
      const originBusy = ocpu0 !== undefined && ocpu1 !== undefined && ocpu1 - ocpu0 >= 50_000;
      const originCpu = originBusy ? perReq(ocpu0, ocpu1) : undefined;
      const rec: RunRecord = {
        repeat,
        role: live.role,
        ok: true,
        load,
        cpuUsPerReq: perReq(cpu0, cpu1),
        originCpuUsPerReq: originCpu,
        peakRssBytes: processTreePeakRssBytes(live.server.pid),
      };
      const bad = load.errors + load.non2xx;
      progress(`${fmtInt(load.reqPerSec)} req/s${bad > 0 ? ` (${fmtInt(load.errors)} errors, ${fmtInt(load.non2xx)} non-2xx)` : ''}\n`);
      return rec;
    } catch (e) {
      progress(`failed: ${errText(e)}\n`);
      return { repeat, role: live.role, ok: false, error: errText(e) };
    }
  }

  async run(s: Scenario): Promise<ScenarioReport> {
    const started: ServerChild[] = [];
    const notes: string[] = [];
    const na = (label: string, kind: ServerKind, reason: string): RoleReport => ({ label, kind, status: 'failed', reason, runs: [] });
    try {
      const loadAvg1m = loadavg()[0] ?? 0;
      progress(`${s.name}: ${s.title}\n`);
      const originStart = await startServer('origin', benchScript('servers/origin.js'), []);
      if (!originStart.ok) {
        const reason = `origin: ${originStart.reason}`;
        return { name: s.name, title: s.title, loadAvg1m, target: na(s.target.label, s.target.kind, reason), baseline: na(s.baseline.label, s.baseline.kind, reason), notes };
      }
      const origin = originStart.server;
      started.push(origin);

      // Target first: the limit baseline copies its response.
      const t = await this.startRole(s, 'target', s.target, origin, undefined);
      const lives: Live[] = [];
      let targetSample: Sample | undefined;
      let prefillReport: ScenarioReport['prefill'];
      if (t.server) {
        if (t.server !== origin) started.push(t.server);
        const live: Live = { role: 'target', report: t.report, server: t.server };
        if (s.prefill) {
          progress(`${s.name}: prefilling ${fmtInt(s.prefill.count)} objects… `);
          const p = await prefill(t.server.url, s.prefill.prefix, s.prefill.count, 120_000);
          const hitCheck = await hitRate(t.server.url, s.prefill.prefix, s.prefill.count, 100);
          prefillReport = { ...p, hitCheck };
          progress(`${fmtInt(p.ok)} stored in ${p.seconds.toFixed(1)} s (${fmtInt(p.ok / p.seconds)}/s), ${hitCheck.hits}/${hitCheck.checked} random keys hit\n`);
          if (p.timedOut || p.failed > 0) notes.push(`prefill incomplete: ${p.ok} ok, ${p.failed} failed of ${s.prefill.count}`);
          if (hitCheck.hits < hitCheck.checked) notes.push(`only ${hitCheck.hits}/${hitCheck.checked} random keys hit after prefill`);
        }
        targetSample = await this.check(s, live);
        if (targetSample) {
          lives.push(live);
          const xc = xCacheOf(targetSample);
          if (s.expectXCache !== '' && s.target.kind === 'edgeproxy' && xc !== s.expectXCache) notes.push(`expected X-Cache ${s.expectXCache}`);
        } else if (t.server !== origin) {
          await t.server.close();
        }
      }

      const b = await this.startRole(s, 'baseline', s.baseline, origin, targetSample);
      if (b.server) {
        if (b.server !== origin) started.push(b.server);
        const live: Live = { role: 'baseline', report: b.report, server: b.server };
        if (await this.check(s, live)) lives.push(live);
        else if (b.server !== origin) await b.server.close();
      }
      if (!targetSample && s.baseline.kind === 'limit' && b.report.status === 'ok') {
        notes.push('limit replays a synthesized CloudFront response (no target to copy)');
      }

      if (this.opts.warmup > 0) {
        for (const live of lives) {
          progress(`${s.name}: warm-up ${live.role} (${live.report.label}) ${this.opts.warmup} s\n`);
          try {
            await this.loadgen.run(live.server.url, this.opts.connections, this.opts.warmup, s.request);
          } catch (e) {
            notes.push(`warm-up of ${live.role} failed: ${errText(e)}`);
          }
        }
      }

      // Interleave, alternating who goes first, so both see the same drift of a shared machine.
      for (let r = 1; r <= this.opts.repeat; r++) {
        const order = r % 2 === 1 ? lives : [...lives].reverse();
        for (const live of order) live.report.runs.push(await this.measure(s, live, r, origin));
      }

      const report: ScenarioReport = { name: s.name, title: s.title, loadAvg1m, target: t.report, baseline: b.report, notes };
      if (prefillReport) report.prefill = prefillReport;
      for (const rr of [t.report, b.report]) {
        if (rr.runs.length > 0) rr.summary = summarize(rr.runs);
      }
      const ratios = pairedRatios(t.report.runs, b.report.runs);
      const ratio = median(ratios.rps);
      const p99Ratio = median(ratios.p99);
      if (ratio !== undefined) report.ratio = ratio;
      if (p99Ratio !== undefined) report.p99Ratio = p99Ratio;
      return report;
    } finally {
      await Promise.all(started.map((c) => c.close()));
    }
  }
}

function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${release()}`,
    cpus: `${c.length} × ${c[0]?.model.trim() ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: BenchOptions;
  let scenarios: Scenario[];
  try {
    opts = parseBenchArgs(argv);
    scenarios = selectScenarios(opts.scenario);
  } catch (e) {
    process.stderr.write(`bench: ${errText(e)}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.list) {
    for (const s of [...SCENARIOS, ...CALIBRATION]) process.stdout.write(`${s.name.padEnd(6)} ${s.title}  [baseline: ${s.baseline.label}]\n`);
    return 0;
  }
  if (opts.micro) {
    const { runMicroMain } = await import('./micro.js');
    return runMicroMain();
  }

  installChildReaper(() => process.stderr.write('\nbench: interrupted; stopping every child process\n'));
  const m = machine();
  const eta = estimateSeconds(scenarios, opts);
  progress(
    `edgeproxy bench on ${m.cpus}, ${m.memoryGiB} GiB, Node ${m.node}\n` +
      `${scenarios.length} scenarios × ${opts.repeat} repeats × 2 servers × ${opts.duration} s (+${opts.warmup} s warm-up per server), ` +
      `${opts.connections} connections; ETA ≤ ${fmtDuration(eta)}\n`,
  );
  // Other work on the machine moves absolute numbers and, less, ratios (perf-notes): say so up front.
  const busy = loadavg()[0] ?? 0;
  if (busy > 0.5) progress(`warning: load average ${busy.toFixed(2)} before starting — something else is running; numbers will be noisy\n`);
  const startedAt = new Date();
  const runner = new Scenarios(opts);
  const reports: ScenarioReport[] = [];
  try {
    for (const s of scenarios) reports.push(await runner.run(s));
  } finally {
    await runner.close();
  }
  const finishedAt = new Date();
  const vsNginx = nginxComparison(reports);
  const table = renderTable(reports) + (vsNginx.length > 0 ? `\n\n${vsNginx.join('\n')}` : '');
  const legend =
    `Medians of ${opts.repeat} × ${opts.duration} s runs, ${opts.connections} connections; × base = median of per-repeat req/s ratios ` +
    `(target ÷ baseline, same run); CPU = measured server's CPU µs per request (+origin's); RSS = peak of the measured server.`;
  process.stdout.write(`\n${table}\n\n${legend} Took ${fmtDuration((finishedAt.getTime() - startedAt.getTime()) / 1000)}.\n`);
  mkdirSync(dirname(opts.json), { recursive: true });
  const json = { version: 1, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), machine: m, options: { ...opts, json: undefined }, scenarios: reports, table };
  writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
  const mdFile = opts.json.replace(/\.json$/i, '') + '.md';
  // The command to reproduce the numbers; where the JSON went does not change them.
  const shown = argv.filter((a, i) => a !== '--json' && argv[i - 1] !== '--json' && !a.startsWith('--json='));
  const command = `npm run bench${shown.length > 0 ? ` -- ${shown.join(' ')}` : ''}`;
  const machineLine = `${m.cpus}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}`;
  writeFileSync(mdFile, renderMarkdown(reports, { machine: machineLine, command, when: startedAt.toISOString().slice(0, 10), legend: [legend, ...vsNginx].join('\n\n') }));
  const rel = (f: string): string => (f.startsWith(REPO_ROOT) ? f.slice(REPO_ROOT.length + 1) : f);
  process.stdout.write(`raw results: ${rel(opts.json)}; Markdown table: ${rel(mdFile)}\n`);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
