// `node dist/bench/threads.js [--scenario b,c] [--duration 5] [--compare DIR]`: per-thread CPU of
// edgeproxy per request, read from /proc/<pid>/task/*/stat around one autocannon run per scenario
// (docs/benchmarks.md: what costs what). The main thread is reported apart from the function workers
// and from V8/libuv helper threads, because a function hop's cost to the main thread is what limits
// throughput. With --compare, the edgeproxy built in DIR (another worktree, built) runs the same
// scenarios in the same invocation, interleaved, for before/after figures under the same load.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installChildReaper, startServer, type ServerChild } from './lib/children.js';
import { LoadGenerator } from './lib/loadgen-client.js';
import { benchScript, FUNCTIONS_DIR } from './lib/paths.js';
import { SCENARIOS } from './scenarios.js';
import { isMain } from './servers/common.js';

const USER_HZ = 100;

interface ThreadCpu {
  name: string;
  us: number;
}

/** CPU (user + system, µs) of every thread of `pid`, by thread id. */
function threadCpu(pid: number): Map<number, ThreadCpu> {
  const out = new Map<number, ThreadCpu>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { name, us: ((Number(f[11]) + Number(f[12])) * 1e6) / USER_HZ });
    } catch {
      // the thread exited while we looked
    }
  }
  return out;
}

/** Per-request µs: the main thread, the function workers (threads named ep:<function>, worker.ts), everything else. */
function split(pid: number, before: Map<number, ThreadCpu>, after: Map<number, ThreadCpu>, requests: number): { main: number; workers: number; other: number } {
  let main = 0;
  let workers = 0;
  let other = 0;
  for (const [tid, a] of after) {
    const d = a.us - (before.get(tid)?.us ?? 0);
    if (tid === pid) main += d;
    else if (a.name.startsWith('ep:')) workers += d;
    else other += d;
  }
  return { main: main / requests, workers: workers / requests, other: other / requests };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'b,c,d,f' },
      duration: { type: 'string', default: '5' },
      compare: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      channels: { type: 'string' },
    },
  });
  installChildReaper();
  const names = (values.scenario ?? '').split(',').map((s) => s.trim());
  const duration = Number(values.duration);
  const repeat = Number(values.repeat);
  const tmp = mkdtempSync(join(tmpdir(), 'edgeproxy-threads-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const loadgen = new LoadGenerator();
  // --channels message,ring,park: this build once per way invocations reach workers (EDGEPROXY_INVOKE_CHANNEL).
  const channels = values.channels === undefined ? [undefined] : values.channels.split(',').map((c) => c.trim());
  const builds: Array<{ label: string; script: string; channel?: string | undefined }> = channels.map((c) => ({ label: c ?? 'this', script: benchScript('servers/edgeproxy.js'), channel: c }));
  if (values.compare !== undefined) builds.push({ label: 'compare', script: join(values.compare, 'dist', 'bench', 'servers', 'edgeproxy.js') });
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write('scenario  build     req/s   main µs  workers µs  other µs  (per request)\n');
  try {
    for (const name of names) {
      const s = SCENARIOS.find((x) => x.name === name);
      if (s === undefined || s.target.kind !== 'edgeproxy') throw new Error(`no edgeproxy scenario ${name}`);
      const origin = await startServer('origin', benchScript('servers/origin.js'), []);
      if (!origin.ok) throw new Error(origin.reason);
      const servers: Array<{ label: string; server: ServerChild }> = [];
      try {
        for (const b of builds) {
          const file = join(tmp, `${name}-${b.label}.json`);
          writeFileSync(file, JSON.stringify({ config: s.target.config(origin.server.url), baseDir: FUNCTIONS_DIR }));
          // The child inherits the environment it is forked with.
          if (b.channel === undefined) delete process.env.EDGEPROXY_INVOKE_CHANNEL;
          else process.env.EDGEPROXY_INVOKE_CHANNEL = b.channel;
          const started = await startServer(`edgeproxy ${b.label}`, b.script, [file], 30_000);
          if (!started.ok) throw new Error(started.reason);
          servers.push({ label: b.label, server: started.server });
          await loadgen.run(started.server.url, 50, 2, s.request); // warm-up
        }
        for (let r = 0; r < repeat; r++) {
          for (const { label, server } of r % 2 === 0 ? servers : [...servers].reverse()) {
            const t0 = threadCpu(server.pid);
            const load = await loadgen.run(server.url, 50, duration, s.request);
            const t1 = threadCpu(server.pid);
            const c = split(server.pid, t0, t1, load.requests);
            process.stdout.write(
              `${name.padEnd(9)} ${label.padEnd(8)} ${Math.round(load.reqPerSec).toString().padStart(6)}  ${c.main.toFixed(1).padStart(8)}  ${c.workers.toFixed(1).padStart(10)}  ${c.other.toFixed(1).padStart(8)}  non2xx ${load.non2xx}\n`,
            );
          }
        }
      } finally {
        await Promise.all(servers.map((x) => x.server.close()));
        await origin.server.close();
      }
    }
  } finally {
    await loadgen.close();
  }
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

if (isMain(import.meta.url)) await main();
