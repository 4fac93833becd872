// `node dist/bench/micro.js` (or `npm run bench -- --micro`): micro-benchmarks of the per-request
// functions. Cases whose module is not written yet are listed as skipped, with why.

import { cases as cacheKey } from './micro/cache-key.js';
import { cases as eventBuild } from './micro/event-build.js';
import { runCase, type MicroResult } from './micro/harness.js';
import { cases as hop } from './micro/hop.js';
import { cases as headers } from './micro/headers.js';
import { cases as pathPattern } from './micro/path-pattern.js';
import { cases as ring } from './micro/ring.js';
import { cases as validate } from './micro/validate-result.js';
import { cases as viewerGuard } from './micro/viewer-guard.js';
import { fmtFixed, fmtInt, formatTable } from './lib/table.js';
import { isMain } from './servers/common.js';

const ALL_CASES = [...pathPattern, ...cacheKey, ...headers, ...viewerGuard, ...validate, ...eventBuild, ...hop, ...ring];

function renderMicro(results: readonly MicroResult[]): string {
  return formatTable(
    ['micro-benchmark', 'ops/s', 'ns/op', 'spread', 'note'],
    results.map((r) => {
      if (r.status !== 'ok' || r.nsPerOp === undefined) return [r.name, '-', '-', '-', `skipped: ${r.reason ?? '?'}`];
      const s = r.samplesNs ?? [];
      const spread = s.length > 0 ? `±${fmtFixed(((Math.max(...s) - Math.min(...s)) / 2 / r.nsPerOp) * 100, 0)}%` : '-';
      return [r.name, fmtInt(r.opsPerSec), fmtFixed(r.nsPerOp, 1), spread, ''];
    }),
    ['l', 'r', 'r', 'r', 'l'],
  );
}

export async function runMicroMain(): Promise<number> {
  process.stderr.write(`micro-benchmarks: ${ALL_CASES.length} cases, median of 5 × 200 ms after 300 ms warm-up\n`);
  const results: MicroResult[] = [];
  for (const c of ALL_CASES) {
    process.stderr.write(`  ${c.name}… `);
    const r = await runCase(c);
    process.stderr.write(r.status === 'ok' ? `${fmtFixed(r.nsPerOp, 1)} ns/op\n` : `skipped\n`);
    results.push(r);
  }
  process.stdout.write(`\n${renderMicro(results)}\n`);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await runMicroMain();
