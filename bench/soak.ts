// `npm run soak`: a bounded soak of edgeproxy under load (default 60 s), with a small share of
// requests whose function fails (throws, or runs past its timeout) or whose origin fails (resets,
// stalls past the read timeout, cuts its body). Every response is checked against the request it
// answers (its body names its path), statuses are counted per kind, and edgeproxy's RSS is sampled
// from outside every second. Reported, never asserted: the exit status is 1 only when a response did
// not belong to its request (a wrong or truncated-but-complete body), which must never happen.
//
// Usage: node dist/bench/soak.js [--duration S] [--connections N] [--seed N] [--json FILE]

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { installChildReaper, startServer, type ServerChild } from './lib/children.js';
import { benchScript, FUNCTIONS_DIR } from './lib/paths.js';
import { processRssBytes } from './lib/procstat.js';
import { isMain } from './servers/common.js';

interface SoakOptions {
  durationSec: number;
  connections: number;
  seed: number;
  json: string | undefined;
  /** Kinds left out of the mix (the others' shares scale up), to find what moves a figure. */
  without: Kind[];
}

const USAGE = 'usage: node dist/bench/soak.js [--duration S (60)] [--connections N (16)] [--seed N (1)] [--without KIND,…] [--json FILE]';

function parseArgs(argv: readonly string[]): SoakOptions {
  const o: SoakOptions = { durationSec: 60, connections: 16, seed: 1, json: undefined, without: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (name: string, min: number, max: number): number => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`${name} needs a number from ${min} to ${max}\n${USAGE}`);
      i++;
      return n;
    };
    if (a === '--duration') o.durationSec = num('--duration', 1, 3600);
    else if (a === '--connections') o.connections = Math.floor(num('--connections', 1, 512));
    else if (a === '--seed') o.seed = Math.floor(num('--seed', 0, 2 ** 31));
    else if (a === '--without') {
      const kinds = (v ?? '').split(',');
      const unknown = kinds.filter((k) => !MIX.some(([m]) => m === k));
      if (v === undefined || unknown.length > 0) throw new Error(`--without takes kinds from: ${MIX.map(([k]) => k).join(', ')}\n${USAGE}`);
      o.without = kinds as Kind[];
      i++;
    } else if (a === '--json') {
      if (v === undefined) throw new Error(`--json needs a file\n${USAGE}`);
      o.json = v;
      i++;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

/** mulberry32: a small seeded generator, so a run's mix of requests can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'cache' | 'nostore' | 'fn' | 'echo' | 'fn-throw' | 'fn-loop' | 'origin-reset' | 'origin-slow' | 'origin-truncate';

/** Share of requests per kind (sums to 1): about 10 % fail on purpose. */
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['cache', 0.5],
  ['nostore', 0.2],
  ['fn', 0.12],
  ['echo', 0.08],
  ['fn-throw', 0.04],
  ['fn-loop', 0.005],
  ['origin-reset', 0.02],
  ['origin-slow', 0.01],
  ['origin-truncate', 0.025],
];

interface Planned {
  kind: Kind;
  method: 'GET' | 'POST';
  path: string;
  body: Buffer | undefined;
  /** What a correct answer looks like. */
  status: number;
  expectBody: string | undefined;
}

function plan(rand: () => number, seq: number, mix: ReadonlyArray<readonly [Kind, number]>): Planned {
  let r = rand();
  let kind: Kind = mix[0]?.[0] ?? 'cache';
  for (const [k, share] of mix) {
    if (r < share) {
      kind = k;
      break;
    }
    r -= share;
  }
  switch (kind) {
    case 'cache': {
      const path = `/cache/${Math.floor(rand() * 200)}`;
      return { kind, method: 'GET', path, body: undefined, status: 200, expectBody: `cache:${path}` };
    }
    case 'nostore':
    case 'fn': {
      const path = `/${kind}/${seq}`;
      return { kind, method: 'GET', path, body: undefined, status: 200, expectBody: path };
    }
    case 'echo': {
      const path = `/echo/${seq}`;
      const body = Buffer.alloc(Math.floor(rand() * 8192), String.fromCharCode(97 + (seq % 26)));
      return { kind, method: 'POST', path, body, status: 200, expectBody: `echo:${path}:${body.length}:${createHash('sha1').update(body).digest('hex')}` };
    }
    case 'fn-throw':
      return { kind, method: 'GET', path: `/fn/throw/${seq}`, body: undefined, status: 503, expectBody: undefined };
    case 'fn-loop':
      return { kind, method: 'GET', path: `/fn/loop/${seq}`, body: undefined, status: 503, expectBody: undefined };
    case 'origin-reset':
      return { kind, method: 'GET', path: `/origin/reset/${seq}`, body: undefined, status: 502, expectBody: undefined };
    case 'origin-slow':
      return { kind, method: 'GET', path: `/origin/slow/${seq}`, body: undefined, status: 504, expectBody: undefined };
    case 'origin-truncate':
      // 200 and then a cut: the viewer must never get the body as if it were complete.
      return { kind, method: 'GET', path: `/origin/truncate/${seq}`, body: undefined, status: 200, expectBody: undefined };
  }
}

interface KindStats {
  requests: number;
  statuses: Record<string, number>;
  /** A complete answer whose body is not the one for its request: must stay 0. */
  wrongBodies: number;
  /** The connection was cut while the body was read (expected only for origin-truncate). */
  cut: number;
  /** Any other failure of the exchange (connection refused, timeouts on the client side). */
  clientErrors: number;
  unexpected: number;
}

function soakConfig(originUrl: string): Record<string, unknown> {
  const all = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
  return {
    listen: { host: '127.0.0.1', port: 0 },
    origins: [
      { id: 'o', url: originUrl },
      // Only the path that stalls on purpose gets a short read timeout: a busy machine must not turn
      // ordinary requests into 504s.
      { id: 'slow', url: originUrl, readTimeout: 0.5 },
    ],
    functions: [
      { id: 'vreq', file: 'soak-viewer-request.mjs', timeout: 0.3 },
      { id: 'ores', file: 'soak-origin-response.mjs' },
    ],
    behaviors: [
      { pathPattern: '/fn/*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'vreq', 'origin-response': 'ores' } },
      { pathPattern: '/echo/*', origin: 'o', cachePolicy: 'CachingDisabled', allowedMethods: all },
      { pathPattern: '/origin/slow/*', origin: 'slow', cachePolicy: 'CachingDisabled' },
      { pathPattern: '*', origin: 'o', cachePolicy: 'UseOriginCacheControlHeaders' },
    ],
  };
}

interface RssSample {
  t: number;
  rssMb: number;
  requests: number;
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

async function soak(o: SoakOptions): Promise<number> {
  installChildReaper();
  const tmp = mkdtempSync(join(tmpdir(), 'edgeproxy-soak-'));
  const servers: ServerChild[] = [];
  try {
    const origin = await startServer('soak origin', benchScript('servers/soak-origin.js'), []);
    if (!origin.ok) throw new Error(`soak origin: ${origin.reason}`);
    servers.push(origin.server);
    const spec = join(tmp, 'edgeproxy.json');
    writeFileSync(spec, JSON.stringify({ config: soakConfig(origin.server.url), baseDir: FUNCTIONS_DIR }));
    const edge = await startServer('edgeproxy', benchScript('servers/edgeproxy.js'), [spec]);
    if (!edge.ok) throw new Error(`edgeproxy: ${edge.reason}`);
    servers.push(edge.server);
    const pid = edge.server.pid;

    const stats = new Map<Kind, KindStats>(MIX.map(([k]) => [k, { requests: 0, statuses: {}, wrongBodies: 0, cut: 0, clientErrors: 0, unexpected: 0 }]));
    const examples: string[] = [];
    const note = (s: string): void => {
      if (examples.length < 10) examples.push(s);
    };
    const rand = prng(o.seed);
    const kept = MIX.filter(([k]) => !o.without.includes(k));
    const keptTotal = kept.reduce((n, [, share]) => n + share, 0);
    const mix = kept.map(([k, share]) => [k, share / keptTotal] as const);
    let seq = 0;
    let done = 0;
    const maxRequests = 5_000_000;
    const pool = new Pool(edge.server.url, { connections: o.connections, pipelining: 1, headersTimeout: 15_000, bodyTimeout: 15_000 });

    const one = async (p: Planned): Promise<void> => {
      const s = stats.get(p.kind) as KindStats;
      s.requests++;
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      let text: string;
      try {
        const r = await pool.request({ method: p.method, path: p.path, ...(p.body !== undefined ? { body: p.body } : {}) });
        status = r.statusCode;
        headers = r.headers;
        s.statuses[status] = (s.statuses[status] ?? 0) + 1;
        try {
          text = await r.body.text();
        } catch {
          s.cut++;
          if (p.kind !== 'origin-truncate') {
            s.unexpected++;
            note(`${p.method} ${p.path}: ${status}, then the body was cut`);
          }
          return;
        }
      } catch (e) {
        s.clientErrors++;
        s.unexpected++;
        note(`${p.method} ${p.path}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      if (p.kind === 'origin-truncate') {
        // Complete delivery of a body the origin cut would be a lie, whatever its status.
        if (status === 200) {
          s.wrongBodies++;
          note(`${p.path}: the origin cut the body, the viewer got ${text.length} bytes as complete`);
        }
        return;
      }
      if (status !== p.status) {
        s.unexpected++;
        note(`${p.method} ${p.path}: status ${status} (X-Cache: ${String(headers['x-cache'])}), expected ${p.status}`);
        return;
      }
      if (p.expectBody !== undefined && text !== p.expectBody) {
        s.wrongBodies++;
        note(`${p.method} ${p.path}: body ${JSON.stringify(text.slice(0, 80))}, expected ${JSON.stringify(p.expectBody.slice(0, 80))}`);
        return;
      }
      if (p.kind === 'fn' && headers['x-soak-seen'] !== p.path) {
        s.wrongBodies++;
        note(`${p.path}: origin-response saw ${String(headers['x-soak-seen'])}`);
      }
    };

    const samples: RssSample[] = [];
    const t0 = performance.now();
    const deadline = t0 + o.durationSec * 1000;
    const sample = (): void => {
      const rss = processRssBytes(pid);
      samples.push({ t: (performance.now() - t0) / 1000, rssMb: rss === undefined ? Number.NaN : rss / 2 ** 20, requests: done });
    };
    sample();
    let lastPrinted = 0;
    const timer = setInterval(() => {
      sample();
      const last = samples[samples.length - 1] as RssSample;
      if (last.t - lastPrinted >= 5 - 0.05) {
        const prev = samples.find((x) => x.t >= lastPrinted - 0.05) ?? samples[0]!;
        const rate = (last.requests - prev.requests) / Math.max(0.001, last.t - prev.t);
        process.stderr.write(`  t=${last.t.toFixed(0).padStart(4)} s  ${fmt(Math.round(rate)).padStart(7)} req/s  RSS ${last.rssMb.toFixed(1)} MB\n`);
        lastPrinted = last.t;
      }
    }, 1000);
    process.stderr.write(`soak: ${o.durationSec} s, ${o.connections} connections, seed ${o.seed}${o.without.length > 0 ? `, without ${o.without.join(', ')}` : ''}, edgeproxy pid ${pid}\n`);
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (performance.now() < deadline && seq < maxRequests) {
          await one(plan(rand, seq++, mix));
          done++;
        }
      }),
    );
    clearInterval(timer);
    sample();
    const elapsed = (performance.now() - t0) / 1000;
    await pool.close();

    // ---- report ----
    let wrong = 0;
    let unexpected = 0;
    const rows: string[] = [];
    rows.push('| kind | share | requests | statuses | wrong bodies | cut | unexpected |');
    rows.push('|---|---:|---:|---|---:|---:|---:|');
    for (const [k, share] of mix) {
      const s = stats.get(k) as KindStats;
      wrong += s.wrongBodies;
      unexpected += s.unexpected;
      const st = Object.entries(s.statuses).map(([c, n]) => `${c}×${fmt(n)}`).join(' ');
      rows.push(`| ${k} | ${(share * 100).toFixed(1)} % | ${fmt(s.requests)} | ${st} | ${s.wrongBodies} | ${fmt(s.cut)} | ${s.unexpected} |`);
    }
    const warm = Math.min(10, o.durationSec / 3);
    const after = samples.filter((x) => x.t >= warm && Number.isFinite(x.rssMb));
    const rssAt = (t: number): number => (samples.find((x) => x.t >= t) ?? samples[samples.length - 1]!).rssMb;
    const minMb = Math.min(...after.map((x) => x.rssMb));
    const maxMb = Math.max(...after.map((x) => x.rssMb));
    const perMin = slope(after.map((x) => [x.t, x.rssMb] as const)) * 60;
    const total = [...stats.values()].reduce((n, s) => n + s.requests, 0);
    const lines = [
      `soak: ${fmt(total)} requests in ${elapsed.toFixed(1)} s (${fmt(Math.round(total / elapsed))} req/s), ${o.connections} connections`,
      '',
      ...rows,
      '',
      `RSS: ${rssAt(0).toFixed(1)} MB at start, ${rssAt(warm).toFixed(1)} MB after the ${warm.toFixed(0)} s warm-up, ` +
        `then ${minMb.toFixed(1)}–${maxMb.toFixed(1)} MB, ${samples[samples.length - 1]!.rssMb.toFixed(1)} MB at the end; ` +
        `trend after warm-up ${perMin >= 0 ? '+' : ''}${perMin.toFixed(1)} MB/min`,
      `RSS every 5 s (MB): ${samples.filter((_, i) => i % 5 === 0).map((x) => x.rssMb.toFixed(0)).join(' ')}`,
      `wrong bodies: ${wrong}; unexpected outcomes: ${unexpected}`,
      ...(examples.length > 0 ? ['examples:', ...examples.map((e) => `  ${e}`)] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (o.json !== undefined) {
      writeFileSync(o.json, JSON.stringify({ options: o, elapsed, total, stats: Object.fromEntries(stats), samples, perMin, wrong, unexpected }, null, 2));
    }
    return wrong === 0 ? 0 : 1;
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  let options: SoakOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  soak(options).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`soak failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
