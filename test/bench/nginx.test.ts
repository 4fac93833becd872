import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processTree, processTreeCpuUs } from '../../bench/lib/procstat.js';
import { nginxComparison, type RoleReport, type ScenarioReport } from '../../bench/lib/report.js';
import { SCENARIOS } from '../../bench/scenarios.js';
import { nginxConf } from '../../bench/servers/nginx.js';

const role = (label: string, kind: RoleReport['kind'], status: RoleReport['status'] = 'ok', reason?: string): RoleReport => ({
  label,
  kind,
  status,
  ...(reason === undefined ? {} : { reason }),
  runs: [],
});

const scenario = (name: string, target: RoleReport, baseline: RoleReport, ratio?: number): ScenarioReport => ({
  name,
  title: name,
  loadAvg1m: 0,
  target,
  baseline,
  notes: [],
  ...(ratio === undefined ? {} : { ratio }),
});

describe('nginx beside the limit server', () => {
  it('cache mode keeps answers in a proxy_cache, pass mode only proxies, both to the given origin', () => {
    const cache = nginxConf('cache', 18080, 'http://127.0.0.1:4567', '/tmp/x');
    expect(cache).toMatch(/listen 127\.0\.0\.1:18080;/);
    expect(cache).toMatch(/server 127\.0\.0\.1:4567; keepalive 256;/);
    expect(cache).toMatch(/proxy_cache bench;/);
    expect(cache).toMatch(/proxy_cache_path \/tmp\/x\/cache /);
    expect(cache).not.toMatch(/sendfile on/);
    const pass = nginxConf('pass', 18081, 'http://127.0.0.1:4567', '/tmp/y');
    expect(pass).not.toMatch(/proxy_cache/);
    expect(pass).toMatch(/proxy_pass http:\/\/origin;/);
  });

  it('the default set measures nginx hit and miss against the same baselines as a-1k and c', () => {
    const byName = new Map(SCENARIOS.map((s) => [s.name, s] as const));
    expect(byName.get('n-hit')?.baseline.kind).toBe(byName.get('a-1k')?.baseline.kind);
    expect(byName.get('n-miss')?.baseline.kind).toBe(byName.get('c')?.baseline.kind);
    expect(byName.get('n-hit')?.request).toEqual(byName.get('a-1k')?.request);
    expect(byName.get('n-miss')?.request).toEqual(byName.get('c')?.request);
  });

  it('shows edgeproxy ÷ nginx from ratios of the same run, and says n/a when nginx is absent', () => {
    const lines = nginxComparison([
      scenario('a-1k', role('edgeproxy', 'edgeproxy'), role('limit', 'limit'), 0.8),
      scenario('n-hit', role('nginx cache', 'nginx'), role('limit', 'limit'), 0.84),
      scenario('c', role('edgeproxy', 'edgeproxy'), role('passthrough', 'passthrough'), 0.6),
      scenario('n-miss', role('nginx pass', 'nginx', 'n/a', 'nginx is not on PATH'), role('passthrough', 'passthrough')),
    ]);
    expect(lines).toEqual([
      'a-1k vs nginx proxy_cache hit: edgeproxy 0.80 × limit, nginx 0.84 × limit → edgeproxy ÷ nginx 0.95',
      'c vs nginx proxy_pass miss: n/a (nginx is not on PATH)',
    ]);
    expect(nginxComparison([scenario('a-1k', role('edgeproxy', 'edgeproxy'), role('limit', 'limit'), 0.8)])).toEqual([]);
  });

  it('counts the CPU of child processes too (nginx forks its workers)', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const pid = child.pid ?? -1;
      expect(processTree(process.pid)).toContain(pid);
      const tree = processTreeCpuUs(process.pid) ?? 0;
      const own = processTreeCpuUs(pid) ?? 0;
      expect(tree).toBeGreaterThanOrEqual(own);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
