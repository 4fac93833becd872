// docs/config.md's "Defaults" table and src/config/defaults.ts say the same thing, both ways, and
// a minimal config really resolves to those values.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as defaults from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';

const DOC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'config.md');

interface Row {
  name: string;
  cell: string;
  line: number;
}

/** The rows of the table under `## Defaults`: `| \`NAME\` | \`JSON\` | … |`. */
function documentedDefaults(): { rows: Row[]; section: string } {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const start = lines.indexOf('## Defaults');
  if (start === -1) throw new Error('docs/config.md has no "## Defaults" section');
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end === -1) end = lines.length;
  const rows: Row[] = [];
  for (let i = start + 1; i < end; i++) {
    const m = /^\| `([A-Za-z0-9_]+)` \| `(.*?)` \|/.exec(lines[i]!);
    if (m !== null) rows.push({ name: m[1]!, cell: m[2]!, line: i + 1 });
  }
  return { rows, section: lines.slice(start, end).join('\n') };
}

const exported = Object.entries(defaults) as [string, unknown][];
const constants = exported.filter(([, v]) => typeof v !== 'function');
const derived = exported.filter(([, v]) => typeof v === 'function').map(([k]) => k);

describe('docs/config.md lists every default of src/config/defaults.ts', () => {
  const { rows, section } = documentedDefaults();

  it('finds a table to compare with', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it('documents every exported constant with the value the code has', () => {
    const byName = new Map(rows.map((r) => [r.name, r]));
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [name, value] of constants) {
      const row = byName.get(name);
      if (row === undefined) {
        missing.push(`${name} (= ${JSON.stringify(value)}): add a row "| \`${name}\` | \`${JSON.stringify(value)}\` | <setting> |"`);
        continue;
      }
      let documented: unknown;
      try {
        documented = JSON.parse(row.cell);
      } catch {
        wrong.push(`docs/config.md:${row.line}: ${name}: the value cell must be JSON, got ${row.cell}`);
        continue;
      }
      if (JSON.stringify(documented) !== JSON.stringify(value)) {
        wrong.push(`docs/config.md:${row.line}: ${name} is documented as ${row.cell}, the code has ${JSON.stringify(value)}`);
      }
    }
    expect(missing, 'defaults missing from docs/config.md "## Defaults"').toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('documents nothing the code does not have, and each constant once', () => {
    const names = new Set(constants.map(([k]) => k));
    expect(rows.filter((r) => !names.has(r.name)).map((r) => `docs/config.md:${r.line}: ${r.name} is not exported by src/config/defaults.ts`)).toEqual([]);
    const seen = new Set<string>();
    expect(rows.filter((r) => (seen.has(r.name) ? true : (seen.add(r.name), false))).map((r) => r.name)).toEqual([]);
  });

  it('names every derived default (a function of listed constants) in the table', () => {
    expect(derived.filter((name) => !section.includes(`\`${name}(`))).toEqual([]);
  });
});

describe('the documented defaults are the ones a config gets', () => {
  it('resolves a config that sets nothing optional to the defaults', async () => {
    const c = await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], admin: {} } });
    const o = c.origins.get('o')!;
    const b = c.behaviors[0]!;
    expect({
      distributionId: c.distributionId,
      pop: c.pop,
      listen: c.listen,
      admin: c.admin,
      origin: [o.readTimeout, o.keepaliveTimeout, o.connectTimeout, o.sslProtocols],
      behavior: [b.cachePolicy.name, b.originRequestPolicy?.name, b.compress, b.allowedMethods, b.cachedMethods],
      cache: [c.cache.maxBytes, c.cache.maxObjectBytes, c.cache.errorCachingMinTtl, c.cache.cacheStatusHeader],
      inspectorHeaders: c.inspectorHeaders,
      log: [c.log.format, c.log.level],
      timeouts: c.defaultTimeouts,
      runtime: c.runtime,
    }).toEqual({
      distributionId: defaults.DEFAULT_DISTRIBUTION_ID,
      pop: defaults.DEFAULT_POP,
      listen: {
        host: defaults.DEFAULT_LISTEN_HOST,
        port: defaults.DEFAULT_LISTEN_PORT,
        requestHeadTimeoutMs: defaults.DEFAULT_REQUEST_HEAD_TIMEOUT_S * 1000,
        keepAliveTimeoutMs: defaults.DEFAULT_KEEP_ALIVE_TIMEOUT_S * 1000,
        requestBodyTimeoutMs: defaults.DEFAULT_REQUEST_BODY_TIMEOUT_S * 1000,
        maxPendingConnections: defaults.DEFAULT_MAX_PENDING_CONNECTIONS,
      },
      admin: { host: defaults.DEFAULT_ADMIN_HOST, port: defaults.DEFAULT_ADMIN_PORT },
      origin: [
        defaults.DEFAULT_ORIGIN_READ_TIMEOUT_S,
        defaults.DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S,
        defaults.DEFAULT_ORIGIN_CONNECT_TIMEOUT_S,
        defaults.DEFAULT_ORIGIN_SSL_PROTOCOLS,
      ],
      behavior: [
        defaults.DEFAULT_CACHE_POLICY,
        defaults.DEFAULT_ORIGIN_REQUEST_POLICY,
        defaults.DEFAULT_COMPRESS,
        defaults.DEFAULT_ALLOWED_METHODS,
        defaults.DEFAULT_CACHED_METHODS,
      ],
      cache: [defaults.DEFAULT_CACHE_BYTES, defaults.DEFAULT_MAX_OBJECT_BYTES, defaults.DEFAULT_ERROR_CACHING_MIN_TTL_S, defaults.DEFAULT_CACHE_STATUS_HEADER],
      inspectorHeaders: defaults.DEFAULT_INSPECTOR_HEADERS,
      log: [defaults.DEFAULT_LOG_FORMAT, defaults.DEFAULT_LOG_LEVEL],
      timeouts: { viewer: defaults.DEFAULT_VIEWER_TRIGGER_TIMEOUT_S * 1000, origin: defaults.DEFAULT_ORIGIN_TRIGGER_TIMEOUT_S * 1000 },
      runtime: {
        maxWorkersPerFunction: defaults.defaultWorkersPerFunction(availableParallelism()),
        accountConcurrency: defaults.DEFAULT_ACCOUNT_CONCURRENCY,
        idleTimeoutMs: defaults.DEFAULT_IDLE_TIMEOUT_S * 1000,
        prewarm: defaults.DEFAULT_PREWARM,
      },
    });
  });

  it('gives an inline cache policy the console defaults', async () => {
    const c = await loadConfig({ object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }], behaviors: [{ pathPattern: '*', cachePolicy: {} }] } });
    const p = c.behaviors[0]!.cachePolicy;
    expect([p.minTTL, p.defaultTTL, p.maxTTL, p.enableAcceptEncodingGzip, p.enableAcceptEncodingBrotli]).toEqual([
      defaults.DEFAULT_POLICY_MIN_TTL,
      defaults.DEFAULT_POLICY_DEFAULT_TTL,
      defaults.DEFAULT_POLICY_MAX_TTL,
      defaults.DEFAULT_POLICY_GZIP,
      defaults.DEFAULT_POLICY_BROTLI,
    ]);
  });

  it('caps the per-function worker default at DEFAULT_WORKERS_PER_FUNCTION_MAX and never goes below 1', () => {
    expect(defaults.defaultWorkersPerFunction(1)).toBe(1);
    expect(defaults.defaultWorkersPerFunction(0)).toBe(1);
    expect(defaults.defaultWorkersPerFunction(64)).toBe(defaults.DEFAULT_WORKERS_PER_FUNCTION_MAX);
  });
});
