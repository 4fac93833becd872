// nginx beside the limit server: what a user would pick instead of edgeproxy. `cache` mode is an
// nginx `proxy_cache` in front of the origin (the hit row), `pass` mode a plain `proxy_pass` (the
// miss row). Absent nginx the driver shows the row as n/a and runs the rest.
// Usage: node dist/bench/servers/nginx.js <cache|pass> <originUrl>

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dieWithParent, isMain, report } from './common.js';

type NginxMode = 'cache' | 'pass';

/** nginx on PATH (Debian puts it in /usr/sbin, which root's PATH has), or undefined. */
function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const r = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (r.error === undefined && r.status === 0) return candidate;
  }
  return undefined;
}

/** A free loopback port: nginx cannot listen on port 0 and tell us, so we ask the kernel first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Two workers like the machine's two cores; keep-alive to the origin as edgeproxy's pool keeps it.
 * No `sendfile`/`tcp_nopush`: perf-notes saw them stall 64 KiB answers on delayed ACKs.
 */
export function nginxConf(mode: NginxMode, port: number, originUrl: string, dir: string): string {
  const origin = new URL(originUrl);
  const cache =
    mode === 'cache'
      ? `    proxy_cache_path ${dir}/cache levels=1:2 keys_zone=bench:64m max_size=1g inactive=1d use_temp_path=off;\n`
      : '';
  const cacheUse = mode === 'cache' ? '      proxy_cache bench;\n      proxy_cache_valid 200 1d;\n' : '';
  // A root master hands its workers to `nobody`, who could not write the cache in our 0700 temp dir.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 2;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    keepalive_requests 1000000;
${cache}    upstream origin { server ${origin.hostname}:${origin.port}; keepalive 256; }
    server {
      listen 127.0.0.1:${port};
      location / {
        proxy_pass http://origin;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
${cacheUse}      }
    }
}
`;
}

if (isMain(import.meta.url)) {
  dieWithParent();
  const [mode, origin] = process.argv.slice(2);
  const nginx = findNginx();
  if (nginx === undefined) {
    await report({ type: 'unavailable', reason: 'nginx is not on PATH (Debian: apt-get install nginx)' });
    process.exit(0);
  }
  if ((mode !== 'cache' && mode !== 'pass') || origin === undefined) {
    await report({ type: 'failed', reason: 'usage: nginx.js <cache|pass> <originUrl>' });
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgeproxy-bench-nginx-'));
  let child: ChildProcess | undefined;
  const stop = (): void => {
    child?.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  process.once('SIGTERM', () => process.exit(0));
  process.once('SIGINT', () => process.exit(0));
  try {
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConf(mode, port, origin, dir));
    let stderr = '';
    child = spawn(nginx, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (code, signal) => {
      void report({ type: 'failed', reason: `nginx exited (${signal ?? `code ${code}`}): ${stderr.trim().slice(0, 300)}` }).then(() => process.exit(1));
    });
    // Ready once it accepts a connection (bounded: 5 s).
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const r = await fetch(`${url}/`, { signal: AbortSignal.timeout(500) });
        await r.arrayBuffer();
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`nginx did not answer within 5 s: ${e instanceof Error ? e.message : String(e)} ${stderr.trim()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await report({ type: 'ready', url });
  } catch (e) {
    await report({ type: 'failed', reason: `nginx: ${e instanceof Error ? e.message : String(e)}` });
    process.exit(1);
  }
}
