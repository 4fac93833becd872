// The text log names the function and trigger on START/END/REPORT lines and prints one line per
// request (`GET /about 200 Miss 3.1 ms · viewer-request=vr:$LATEST`); --log-level warn silences both,
// with capture on as well.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startProxy } from '../../src/proxy.js';
import { send, startOrigin, type TestOrigin } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/inspector/', import.meta.url));

async function linesFor(level: 'info' | 'warn', origin: TestOrigin): Promise<string[]> {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(...s.split('\n').filter((l) => l !== '')) };
  const config = await loadConfig({
    baseDir: FIXTURES,
    object: {
      listen: { host: '127.0.0.1', port: 0 },
      origins: [{ id: 'o', url: origin.url }],
      functions: [{ id: 'vr', file: 'fns.mjs', export: 'viewerRequest' }],
      behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'vr' } }],
      admin: { port: 0 },
      inspector: { capture: true },
    },
  });
  const proxy = await startProxy({ config, log: createLogger({ format: 'text', level, out, err: out, color: false }) });
  try {
    expect((await send(proxy.url, '/about')).status).toBe(200);
    // The request line is written when the response has closed.
    for (let i = 0; i < 50 && !lines.some((l) => l.startsWith('GET /about')) && level === 'info'; i++) await new Promise((r) => setTimeout(r, 20));
    // The capture has the lines whatever the level.
    const rows = JSON.parse((await send(proxy.adminUrl as string, '/inspector/api/exchanges')).text) as { exchanges: Array<{ id: string }> };
    const rec = JSON.parse((await send(proxy.adminUrl as string, `/inspector/api/exchanges/${rows.exchanges[0]?.id}`)).text) as { functionRuns: Array<{ logs: string[] }> };
    expect(rec.functionRuns[0]?.logs.some((l) => l.startsWith('REPORT RequestId:'))).toBe(true);
  } finally {
    await proxy.close();
  }
  return lines;
}

describe('text log lines', () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('START/END/REPORT carry the function id and trigger; one info line per request', async () => {
    const lines = await linesFor('info', origin);
    expect(lines.some((l) => /^vr viewer-request │ START RequestId: \S+ Version: \$LATEST$/.test(l))).toBe(true);
    expect(lines.some((l) => /^vr viewer-request │ END RequestId: /.test(l))).toBe(true);
    expect(lines.some((l) => /^vr viewer-request │ REPORT RequestId: .*Duration: /.test(l))).toBe(true);
    expect(lines.some((l) => /^vr viewer-request │ .*\tINFO\tviewer-request saw \/about$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^GET \/about 200 Miss [\d.]+ ms · viewer-request=vr:\$LATEST$/.test(l))).toHaveLength(1);
  });

  it('--log-level warn silences them (capture still has its own copy)', async () => {
    const lines = await linesFor('warn', origin);
    expect(lines.filter((l) => /START|REPORT|GET \/about/.test(l))).toEqual([]);
  });
});
