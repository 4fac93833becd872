// The running distribution: builds every part from the resolved config (runtime, code registry,
// CloudFront Functions, cache, origin client, listeners) and wires them. Internal: the package's
// public surface is src/index.ts, which narrows the options and the handle this module returns.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { startAdmin, type AdminServer } from './admin/server.js';
import { DEFAULT_ADMIN_HOST, DEFAULT_CLOSE_GRACE_MS, DEFAULT_INSPECTOR_ADMIN_PORT } from './config/defaults.js';
import type { ResolvedConfig } from './config/types.js';
import { createCodeSource } from './runtime/code.js';
import { createLogger, type Logger } from './log.js';
import { createAccessLog, createExchangeObserver, type ExchangeObserver } from './observe/access-log.js';
import { createMetrics, type Metrics } from './observe/metrics.js';
import { createOriginClient } from './origin/client.js';
import { createUpgradeHandler } from './origin/upgrade.js';
import { Inspector } from './inspector/inspector.js';
import { createEnv } from './pipeline/env.js';
import { handleRequest } from './pipeline/run.js';
import { CffHost } from './runtime/cff-host.js';
import { createRuntime } from './runtime/pool.js';
import { type LambdaApi, startLambdaApi } from './lambda/api.js';
import { LogTap } from './lambda/log-tail.js';
import { LambdaMetrics } from './lambda/metrics.js';
import type { Scheduler } from './lambda/scheduler.js';
import { systemClock, type Clock } from './cache/clock.js';
import { createStore, type CacheStore } from './cache/store.js';
import { closeHttpsListener, createHttpsListener, type HttpsListener, loadTlsCredentials, type TlsCredentials } from './viewer/https.js';
import { guardListener, viewerServerOptions } from './viewer/listener.js';


export interface EdgeProxy {
  /** `http://host:port` of the viewer listener. */
  readonly url: string;
  /**
   * The HTTPS viewer listener (`listen.https`, docs/cloudfront-reference.md §16): its `https://host:port`
   * and, for a self-signed certificate, where the certificate is (to trust it) and its SHA-256 fingerprint.
   */
  readonly https: { readonly url: string; readonly selfSigned: TlsCredentials['selfSigned'] } | undefined;
  /** `http://127.0.0.1:port` of the admin listener, when one was asked for. */
  readonly adminUrl: string | undefined;
  /** `http://127.0.0.1:port` of the Lambda Invoke API listener (docs/lambda-api.md), when asked for. */
  readonly lambdaUrl: string | undefined;
  readonly config: ResolvedConfig;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), ends workers. */
  close(graceMs?: number): Promise<void>;
}

/** The handle with its parts, for the CLI and the project's own tests. */
export interface RunningProxy extends EdgeProxy {
  /** The Lambda API's state (routing, async queue, sinks), when its listener runs. */
  readonly lambda: LambdaApi | undefined;
  /** The distribution's cache (the admin listener serves it). */
  readonly cache: CacheStore;
  /** Function and distribution metrics (docs/cloudfront-reference.md §9.4), served by the admin listener at /metrics. */
  readonly metrics: Metrics;
  /** The inspector's captures, when capture is on (docs/inspector.md). */
  readonly inspector: Inspector | undefined;
  /** `<adminUrl>/inspector/`, when capture is on. */
  readonly inspectorUrl: string | undefined;
}

export interface StartOptions {
  config: ResolvedConfig;
  log?: Logger;
  /** Where published versions and compiled TypeScript live (default `<cwd>/.edgeproxy`). */
  stateDir?: string;
  /** Reload `$LATEST` functions when their files change (the CLI turns it on). */
  watch?: boolean;
  /** One info line at start when associations run $LATEST or an alias (CloudFront refuses them); off by default. */
  noteUnversioned?: boolean;
}

/** Knobs for the project's own tests: not part of the public API. */
export interface InternalStartOptions extends StartOptions {
  /** The cache's clock; tests inject one to check TTL edges without sleeping. */
  clock?: Clock;
  /** Alias traffic splitting draws from this (tests pass a seeded one). */
  random?: () => number;
  /** Quiet time after a file event before a reload (ms). */
  debounceMs?: number;
  /** Time for the Lambda API's async queue (tests step through retry delays with a manual one). */
  lambdaScheduler?: Scheduler;
  /**
   * Hears about every viewer exchange before its steps run, and turns on the step trace: the test kit's
   * proxy.fetch reads what happened inside from it (docs/testing.md). Absent (the default) costs nothing.
   */
  observe?: ExchangeObserver;
}

/** `--inspector` with no admin listener configured: 9901, or the next free port of the next 100 (docs/inspector.md). */
async function startAdminOnFreePort(deps: Parameters<typeof startAdmin>[0], host: string, first: number): Promise<AdminServer> {
  for (let port = first; ; port++) {
    try {
      return await startAdmin(deps, { host, port });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code !== 'EADDRINUSE' || port >= first + 99) throw e;
    }
  }
}

function listen(server: Server | HttpsListener, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startProxy(opts: InternalStartOptions): Promise<RunningProxy> {
  const { config } = opts;
  const log = opts.log ?? createLogger({ format: config.log.format, level: config.log.level });
  const metrics = createMetrics({ distributionId: config.distributionId });
  const code = createCodeSource({
    config,
    log,
    stateDir: opts.stateDir ?? path.join(process.cwd(), '.edgeproxy'),
    watch: opts.watch ?? false,
    ...(opts.random !== undefined ? { random: opts.random } : {}),
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    noteUnversioned: opts.noteUnversioned === true,
  });
  // Reservations as they are now (PutFunctionConcurrency changes them): UnreservedConcurrentExecutions counts the others.
  const reservations = new Map([...config.functions.values()].map((f) => [f.id, f.reservedConcurrency] as const));
  const lambdaMetrics = new LambdaMetrics((id) => reservations.get(id) !== undefined);
  // With the Lambda listener on, the runtime's log goes through a tap that keeps Tail's lines.
  const tap = config.lambda === undefined ? undefined : new LogTap(log, true);
  // With capture on, the inspector files each function's log lines under its exchange (docs/inspector.md).
  const inspector = config.inspector.capture ? new Inspector(config.inspector) : undefined;
  const runtime = createRuntime({ log: inspector === undefined ? (tap ?? log) : inspector.logTap(tap ?? log), metrics: lambdaMetrics.tap(metrics), functions: config.functions.values(), ...config.runtime });
  try {
    // A missing export is a start-up error, before listening: every build an
    // association can resolve to (an alias's two versions, compiled TypeScript) is loaded once.
    const checks: Array<Promise<void>> = [];
    for (const b of config.behaviors) {
      for (const a of Object.values(b.functions)) {
        const fn = a && config.functions.get(a.functionId);
        if (a && fn && fn.cff === undefined) for (const ref of code.candidates(a.functionId, a.qualifier)) checks.push(runtime.check(fn, ref));
      }
    }
    await Promise.all(checks);
  } catch (e) {
    await Promise.all([runtime.close(), code.close()]);
    throw e;
  }
  // CloudFront Functions: checked (feature check, 10 KB) and loaded once before listening.
  let cff: CffHost;
  try {
    cff = await CffHost.start({ config, log, watch: opts.watch ?? false, metrics, ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}) });
  } catch (e) {
    await Promise.all([runtime.close(), code.close()]);
    throw e;
  }
  const origins = createOriginClient(log);
  const clock = opts.clock ?? systemClock;
  const store = createStore({ maxBytes: config.cache.maxBytes, maxObjectBytes: config.cache.maxObjectBytes, clock });
  const env = createEnv(config, runtime, origins, { store, clock, inflight: new Map() }, log, code, { cff, inspector, trace: opts.observe !== undefined });
  const upgrades = createUpgradeHandler(config, log);
  const accessLog = config.log.accessLogFile === undefined ? undefined : createAccessLog(config.log.accessLogFile, log);
  const observed = createExchangeObserver({ metrics, accessLog, edgeLocation: config.pop, distributionDomainName: config.distributionDomainName, log });
  const extra = opts.observe;
  const observer: ExchangeObserver =
    extra === undefined
      ? observed
      : {
          watch(ex, startedAt) {
            observed.watch(ex, startedAt);
            extra.watch(ex, startedAt);
          },
        };
  const unexpected = (res: ServerResponse, e: unknown): void => {
    log.error(`edgeproxy: request failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    res.destroy();
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      if (!viewerOf(req).admit(req, res)) return;
      // A cache hit with no functions is answered synchronously: no promise to watch.
      handleRequest(env, req, res, observer)?.catch((e: unknown) => unexpected(res, e));
    } catch (e) {
      unexpected(res, e);
    }
  };
  const server = createServer(viewerServerOptions(config.listen), onRequest);
  // An Expect other than 100-continue is ignored and the request runs (RFC 9110 §10.1.1: a server MAY
  // answer 417); without this listener Node answers a bare 417 with no CloudFront page.
  server.on('checkExpectation', onRequest);
  // Timeouts, the cap on waiting connections, and requests Node cannot parse (CloudFront's error
  // page, after the responses already owed on the connection).
  const viewer = guardListener(server, env, config.listen);
  // The HTTPS listener's own guard, when there is one: a request is admitted by its listener's.
  const viewers = [viewer];
  const viewerOf = (req: IncomingMessage): typeof viewer => (viewers.length === 1 || (req.socket as { encrypted?: boolean }).encrypted !== true ? viewer : (viewers[1] as typeof viewer));
  server.on('upgrade', (req, socket, head) => {
    if (viewer.admitUpgrade(req, socket)) upgrades.handle(req, socket as Socket, head);
  });
  let addr: AddressInfo;
  try {
    addr = await listen(server, config.listen.port, config.listen.host);
  } catch (e) {
    await Promise.all([runtime.close(), origins.close(), accessLog?.close(), code.close(), cff.close()]);
    upgrades.close();
    throw e;
  }
  const urlOf = (a: AddressInfo, scheme: string): string => `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  const url = urlOf(addr, 'http');
  if (inspector !== undefined) inspector.viewerUrl = url;
  let lambda: LambdaApi | undefined;
  let admin: AdminServer | undefined;
  let httpsServer: HttpsListener | undefined;
  let https: EdgeProxy['https'];
  try {
    const tls = config.listen.https;
    if (tls !== undefined) {
      // docs/cloudfront-reference.md §16: only when configured; the HTTP listener above is unchanged by it.
      const creds = await loadTlsCredentials(tls, opts.stateDir ?? path.join(process.cwd(), '.edgeproxy'));
      const secure = createHttpsListener(config, creds, onRequest);
      httpsServer = secure;
      secure.on('checkExpectation', onRequest);
      const secureViewer = guardListener(secure as unknown as Server, env, config.listen);
      viewers.push(secureViewer);
      secure.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        if (secureViewer.admitUpgrade(req, socket)) upgrades.handle(req, socket, head);
      });
      const bound = await listen(secure, tls.port, tls.host);
      env.listeners.httpsPort = bound.port;
      https = { url: urlOf(bound, 'https'), selfSigned: creds.selfSigned };
    }
    if (config.lambda !== undefined) {
      lambda = await startLambdaApi({
        config: config.lambda,
        // CloudFront Functions are not Lambda functions: the Invoke API does not list or run them.
        functions: new Map([...config.functions].filter(([, f]) => f.cff === undefined)),
        code,
        runtime,
        tap,
        metrics: lambdaMetrics,
        log,
        accountConcurrency: config.runtime.accountConcurrency,
        stateDir: opts.stateDir ?? path.join(process.cwd(), '.edgeproxy'),
        onReservedConcurrency: (id, n) => reservations.set(id, n),
        ...(opts.lambdaScheduler !== undefined ? { scheduler: opts.lambdaScheduler } : {}),
        ...(opts.random !== undefined ? { random: opts.random } : {}),
      });
    }
    const adminDeps = {
      store,
      clock,
      log,
      metrics: lambdaMetrics.combine(metrics),
      distributionId: config.distributionId,
      publish: (id: string) => code.publish(id),
      lambdaSinks: lambda?.sinks,
      keyValueStores: cff,
      inspector,
    };
    if (config.admin !== undefined) admin = await startAdmin(adminDeps, config.admin);
    else if (inspector !== undefined) admin = await startAdminOnFreePort(adminDeps, DEFAULT_ADMIN_HOST, DEFAULT_INSPECTOR_ADMIN_PORT);
  } catch (e) {
    await new Promise<void>((r) => server.close(() => r()));
    if (httpsServer !== undefined) await closeHttpsListener(httpsServer, 0);
    await lambda?.close(0);
    await Promise.all([lambda?.closed(), runtime.close(), origins.close(), accessLog?.close(), code.close(), cff.close()]);
    upgrades.close();
    throw e;
  }
  let closing: Promise<void> | undefined;

  return {
    url,
    https,
    adminUrl: admin?.url,
    lambdaUrl: lambda?.url,
    inspector,
    inspectorUrl: inspector === undefined || admin === undefined ? undefined : `${admin.url}/inspector/`,
    lambda,
    config,
    cache: store,
    metrics,
    close(graceMs = DEFAULT_CLOSE_GRACE_MS) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const httpsClosed = httpsServer === undefined ? undefined : closeHttpsListener(httpsServer, graceMs);
        const adminClosed = admin?.close();
        // Async invocations in flight finish (or are reported dropped) before the workers go.
        const lambdaClosed = lambda?.close();
        // A WebSocket has no natural end to wait for: close them now, as an edge going away would.
        upgrades.close();
        // Keep-alive connections that go idle after their last response are closed as they appear.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.closeIdleConnections();
        await closed;
        await httpsClosed;
        clearInterval(sweep);
        clearTimeout(force);
        await lambdaClosed;
        await Promise.all([lambda?.closed(), runtime.close(), origins.close(), accessLog?.close(), code.close(), cff.close(), adminClosed]);
      })();
      return closing;
    },
  };
}
