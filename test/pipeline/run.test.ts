// The driver (src/pipeline/run.ts) through a real listener, a real origin and the real runtime: the
// steps it runs follow the transition table, a traced exchange records each of them, an untraced one
// records nothing, and the timings Server-Timing and the origin-latency metric read are the driver's.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/cache/clock.js';
import { createStore } from '../../src/cache/store.js';
import { loadConfig } from '../../src/config/load.js';
import { memoryLogger } from '../../src/log.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { createOriginClient } from '../../src/origin/client.js';
import { createEnv } from '../../src/pipeline/env.js';
import type { Exchange } from '../../src/pipeline/exchange.js';
import { handleRequest } from '../../src/pipeline/run.js';
import { TRANSITIONS, type Step } from '../../src/pipeline/steps.js';
import { createRuntime } from '../../src/runtime/pool.js';
import { FIXTURES, send, startOrigin, type TestOrigin } from '../helpers.js';

interface Driven {
  url: string;
  /** Every exchange the driver made, in order. */
  exchanges: Exchange[];
  logs: string[];
  close(): Promise<void>;
}

async function drive(object: Record<string, unknown>, trace: boolean): Promise<Driven> {
  const config = await loadConfig({ object: { listen: { host: '127.0.0.1', port: 0 }, ...object }, baseDir: FIXTURES });
  const log = memoryLogger();
  const runtime = createRuntime({ log, metrics: createMetrics({ distributionId: config.distributionId }), functions: config.functions.values(), ...config.runtime });
  const origins = createOriginClient();
  const store = createStore({ maxBytes: config.cache.maxBytes, maxObjectBytes: config.cache.maxObjectBytes, clock: systemClock });
  const env = createEnv(config, runtime, origins, { store, clock: systemClock, inflight: new Map() }, log, undefined, { trace });
  const exchanges: Exchange[] = [];
  const observer = { watch: (ex: Exchange) => void exchanges.push(ex) };
  const server: Server = createServer((req, res) => {
    handleRequest(env, req, res, observer)?.catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    logs: log.lines,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.all([runtime.close(), origins.close()]);
    },
  };
}

const steps = (ex: Exchange | undefined): Array<[Step, string]> => (ex?.trace ?? []).map((t) => [t.step, t.outcome]);

describe('the driver', () => {
  let origin: TestOrigin;
  let traced: Driven;
  let plain: Driven;
  let deadPort: number;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': req.url === '/cached' ? 'max-age=60' : 'no-store' });
      res.end('hello');
    });
    // A port nothing listens on: the origin fetch fails with OriginConnectError.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const object = {
      origins: [
        { id: 'o', url: origin.url },
        { id: 'dead', url: `http://127.0.0.1:${deadPort}`, connectTimeout: 1 },
      ],
      functions: [{ id: 'mark', file: 'e2e/fns.mjs', export: 'markViewerResponse' }],
      behaviors: [
        { pathPattern: '/down', origin: 'dead' },
        { pathPattern: '/fn', origin: 'o', functions: { 'viewer-response': 'mark' } },
        { pathPattern: '*', origin: 'o' },
      ],
    };
    traced = await drive(object, true);
    plain = await drive(object, false);
  });
  afterAll(async () => {
    await traced?.close();
    await plain?.close();
    await origin?.close();
  });

  it('traces a miss through every origin-side step, each outcome one its row of the table allows', async () => {
    const r = await send(traced.url, '/cached');
    expect(r.status).toBe(200);
    const ex = traced.exchanges.at(-1);
    expect(steps(ex)).toEqual([
      ['request', 'viewer-request'],
      ['viewer-request', 'cache-lookup'],
      ['cache-lookup', 'origin-request'],
      ['origin-request', 'origin-fetch'],
      ['origin-fetch', 'origin-response'],
      ['origin-response', 'cache-store'],
      ['cache-store', 'viewer-response'],
      ['viewer-response', 'deliver'],
      ['deliver', 'done'],
    ]);
    const trace = ex?.trace ?? [];
    for (const t of trace) {
      expect(TRANSITIONS[t.step] as readonly string[]).toContain(t.outcome);
      expect(t.durationNs).toBeGreaterThanOrEqual(0);
    }
    for (let i = 1; i < trace.length; i++) expect((trace[i] as { startNs: number }).startNs).toBeGreaterThanOrEqual((trace[i - 1] as { startNs: number }).startNs);
    // The origin's latency is the one timing of a miss without functions.
    expect(ex?.timings.map((t) => t.stage)).toEqual(['origin-fetch']);
  });

  it('traces a hit: no origin-side step, nothing timed', async () => {
    await send(traced.url, '/cached');
    const ex = traced.exchanges.at(-1);
    expect(ex?.response?.xCache).toBe('Hit');
    expect(steps(ex)).toEqual([
      ['request', 'viewer-request'],
      ['viewer-request', 'cache-lookup'],
      ['cache-lookup', 'viewer-response'],
      ['viewer-response', 'deliver'],
      ['deliver', 'done'],
    ]);
    expect(ex?.timings).toEqual([]);
  });

  it('a failing step hands over to synth, which answers with the error page', async () => {
    const r = await send(traced.url, '/down');
    expect(r.status).toBe(502);
    const ex = traced.exchanges.at(-1);
    expect(steps(ex)).toEqual([
      ['request', 'viewer-request'],
      ['viewer-request', 'cache-lookup'],
      ['cache-lookup', 'origin-request'],
      ['origin-request', 'origin-fetch'],
      ['origin-fetch', 'error'],
      ['synth', 'deliver'],
      ['deliver', 'done'],
    ]);
    expect(ex?.errorCode).toBe('OriginConnectError');
    expect(ex?.error?.code).toBe('OriginConnectError');
    // A fetch that failed has no origin latency.
    expect(ex?.timings).toEqual([]);
    expect(traced.logs.some((l) => l.includes(`${ex?.requestId} GET /down → 502`) && l.includes('OriginConnectError'))).toBe(true);
  });

  it('times a function step once its function ran', async () => {
    const r = await send(traced.url, '/fn');
    expect(r.status).toBe(200);
    const ex = traced.exchanges.at(-1);
    expect(ex?.timings.map((t) => t.stage)).toEqual(['origin-fetch', 'viewer-response']);
    for (const t of ex?.timings ?? []) expect(t.ms).toBeGreaterThanOrEqual(0);
    expect(steps(ex).at(-2)).toEqual(['viewer-response', 'deliver']);
  });

  it('records no trace unless asked at start, and still answers and times the same', async () => {
    const miss = await send(plain.url, '/fn');
    expect(miss.status).toBe(200);
    const ex = plain.exchanges.at(-1);
    expect(ex?.trace).toBeUndefined();
    expect(ex?.timings.map((t) => t.stage)).toEqual(['origin-fetch', 'viewer-response']);
    const down = await send(plain.url, '/down');
    expect(down.status).toBe(502);
    expect(plain.exchanges.at(-1)?.trace).toBeUndefined();
  });

  it('exchanges keep one shape whatever their path (stages add no fields), with the viewer HTTP version', async () => {
    await send(traced.url, '/cached');
    const ex = traced.exchanges.at(-1) as Exchange;
    const fresh = traced.exchanges[0] as Exchange;
    expect(Object.keys(ex)).toEqual(Object.keys(fresh));
    expect(ex.viewerHttpVersion).toBe('1.1');
  });
});
