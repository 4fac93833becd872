// The load generator: a child process of the driver that runs autocannon on command, so the load
// never shares an event loop (or a core's scheduling) with the server it measures.
// It stays up for the whole bench to save a Node start per run; one run at a time.

import autocannon, { type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { LatencyHistogram } from './lib/stats.js';
import { parseLoadCommand, type LoadCommand, type LoadReply, type LoadResult } from './lib/messages.js';

function send(m: LoadReply): void {
  process.send?.(m);
}

function autocannonOptions(cmd: LoadCommand): AutocannonOptions {
  const r = cmd.request;
  const body = r.bodyBytes ? Buffer.alloc(r.bodyBytes, 'b') : undefined;
  const headers: Record<string, string> = { ...r.headers };
  if (body) headers['content-type'] ??= 'application/octet-stream';
  const base: AutocannonRequest = { method: r.method, path: r.path, headers, ...(body ? { body } : {}) };
  const random = r.randomPath;
  const requests: AutocannonRequest[] = random
    ? [
        {
          ...base,
          path: `${random.prefix}0`,
          // Scenario g: keys drawn uniformly at random, one per request.
          setupRequest: (req) => ({ ...req, path: `${random.prefix}${Math.floor(Math.random() * random.count)}` }),
        },
      ]
    : [base];
  return {
    url: cmd.url,
    connections: cmd.connections,
    duration: cmd.durationSec,
    pipelining: 1,
    timeout: 10,
    requests,
  };
}

function run(cmd: LoadCommand): void {
  const hist = new LatencyHistogram();
  const instance = autocannon(autocannonOptions(cmd), (err, res) => {
    if (err) {
      send({ type: 'error', id: cmd.id, message: err.message });
      return;
    }
    const statusCodes: Record<string, number> = {};
    for (const [code, s] of Object.entries(res.statusCodeStats)) statusCodes[code] = s.count;
    const durationSec = res.duration > 0 ? res.duration : cmd.durationSec;
    const requests = res.requests.total;
    const bytes = res.throughput.total;
    const result: LoadResult = {
      requests,
      durationSec,
      reqPerSec: requests / durationSec,
      bytes,
      mbPerSec: bytes / durationSec / 1e6,
      errors: res.errors,
      timeouts: res.timeouts,
      non2xx: res.non2xx,
      statusCodes,
      latencyUs: hist.summary(),
    };
    send({ type: 'result', id: cmd.id, result });
  });
  // Every response, whatever its status, with the fractional-ms time autocannon measured.
  instance.on('response', (_client: unknown, _status: unknown, _bytes: unknown, responseTimeMs: unknown) => {
    if (typeof responseTimeMs === 'number') hist.recordMs(responseTimeMs);
  });
}

process.on('message', (raw: unknown) => {
  const cmd = parseLoadCommand(raw);
  if (cmd) run(cmd);
});
// The driver is gone: nothing left to do.
process.once('disconnect', () => process.exit(0));
send({ type: 'ready' });
