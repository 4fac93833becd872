// The bench's processes end to end, on the built bench (npm test builds first): a server child,
// the load-generator child, and the edgeproxy child's refusal path. Bounded: ~1 s of load.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../bench/lib/children.js';
import { LoadGenerator } from '../../bench/lib/loadgen-client.js';
import { benchScript } from '../../bench/lib/paths.js';
import { processCpuUs, processPeakRssBytes } from '../../bench/lib/procstat.js';

const built = existsSync(benchScript('loadgen.js'));
const loadgen = new LoadGenerator();
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bench-test-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await loadgen.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!built)('bench processes (built)', () => {
  it('starts the limit server as a child, measures it from /proc, and stops it', async () => {
    const dir = tempDir();
    const spec = join(dir, 'limit.json');
    writeFileSync(spec, JSON.stringify({ status: 200, headers: [['X-Cache', 'Hit from cloudfront']], bodyBase64: Buffer.alloc(1024, 'x').toString('base64') }));
    const o = await startServer('limit', benchScript('servers/limit.js'), [spec]);
    if (!o.ok) throw new Error(o.reason);
    try {
      const cpu0 = processCpuUs(o.server.pid);
      const r = await loadgen.run(o.server.url, 4, 1, { method: 'GET', path: '/x' });
      expect(r.requests).toBeGreaterThan(0);
      expect(r.non2xx + r.errors).toBe(0);
      expect(r.latencyUs.count).toBe(r.requests);
      expect(r.latencyUs.p50).toBeGreaterThan(0);
      expect(r.latencyUs.p99).toBeGreaterThanOrEqual(r.latencyUs.p50);
      expect(r.bytes).toBeGreaterThan(r.requests * 1024);
      if (process.platform === 'linux') {
        expect(processCpuUs(o.server.pid)).toBeGreaterThan(cpu0 ?? Infinity);
        expect(processPeakRssBytes(o.server.pid)).toBeGreaterThan(10 * 2 ** 20);
      }
    } finally {
      await o.server.close();
    }
    expect(() => process.kill(o.server.pid, 0)).toThrow();
  });

  it('draws random keys when the request has randomPath', async () => {
    const seen = new Set<string>();
    const server = createServer((req, res) => {
      seen.add(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await loadgen.run(`http://127.0.0.1:${port}`, 2, 0.5, { method: 'GET', path: '/k/0', randomPath: { prefix: '/k/', count: 1000 } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(seen.size).toBeGreaterThan(50);
    for (const p of seen) expect(p).toMatch(/^\/k\/\d{1,3}$/);
  });

  it('the edgeproxy child refuses a bad spec with a reason instead of hanging', async () => {
    const dir = tempDir();
    const spec = join(dir, 'edge.json');
    writeFileSync(spec, JSON.stringify({ config: { origins: 'not a list' }, baseDir: dir }));
    const o = await startServer('edgeproxy', benchScript('servers/edgeproxy.js'), [spec], 20_000);
    if (o.ok) await o.server.close();
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.reason.length).toBeGreaterThan(10);
  });
});
