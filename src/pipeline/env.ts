// What every stage needs and that is built once at start: config, runtime, origin client, cache,
// and per-behavior facts precomputed so the hot path only looks them up.

import { behaviorCompresses } from '../cache/compress.js';
import type { EdgeCache } from '../cache/edge-cache.js';
import { varyFilterFor, type VaryFilter } from '../cache/vary.js';
import type { ResolvedBehavior, ResolvedConfig } from '../config/types.js';
import { eventHeads, type EventHeads } from '../event/event-json.js';
import { originRequestPlan } from '../event/origin-request.js';
import { wantedCloudFrontHeaders } from '../event/viewer-headers.js';
import type { Inspector } from '../inspector/inspector.js';
import type { Logger } from '../log.js';
import type { OriginClient } from '../origin/client.js';
import type { CodeSource } from '../runtime/code-types.js';
import type { CffHost } from '../runtime/cff-host.js';
import type { FunctionRuntime } from '../runtime/types.js';

interface BehaviorFacts {
  /** Lowercase CloudFront-* header names the behavior's policies ask for (docs/cloudfront-reference.md §7). */
  readonly cloudFrontHeaders: readonly string[];
  /** The CloudFront-* names the cache policy keys on. */
  readonly keyCloudFrontHeaders: readonly string[];
  readonly allowedMethods: ReadonlySet<string>;
  readonly cachedMethods: ReadonlySet<string>;
  /** False for a policy that can never keep anything (CachingDisabled: all TTLs 0, docs/cloudfront-reference.md §6.2). */
  readonly caches: boolean;
  /** docs/cloudfront-reference.md §6.9: no request collapsing when cookies are forwarded, or with CachingDisabled. */
  readonly collapses: boolean;
  /** The cache policy enables gzip/br, so Accept-Encoding is normalized into the key (docs/cloudfront-reference.md §6.3). */
  readonly normalizesAcceptEncoding: boolean;
  /** docs/cloudfront-reference.md §6.10: Compress on and the policy enables gzip or br. */
  readonly compresses: boolean;
  /** docs/cloudfront-reference.md §6.13: which Vary members reach the viewer. */
  readonly vary: VaryFilter;
}

export interface Env {
  readonly config: ResolvedConfig;
  readonly runtime: FunctionRuntime;
  readonly origins: OriginClient;
  readonly cache: EdgeCache;
  /** Which build of a function runs (versions, aliases, hot reload). */
  readonly code: CodeSource | undefined;
  readonly log: Logger;
  /** `1.1 <hex>.cloudfront.net (CloudFront)` without the version: the version is the viewer's. */
  readonly viaSuffix: string;
  /** Each trigger's event JSON up to the request id (event/event-json.ts). */
  readonly eventHeads: EventHeads;
  /** Record every step of every exchange (Exchange.trace), for the inspector; off costs nothing per request. */
  readonly trace: boolean;
  /** CloudFront Functions (docs/cloudfront-reference.md §20); undefined when the config has none. */
  readonly cff: CffHost | undefined;
  /** The inspector, when capture is on (docs/inspector.md); undefined = off, no per-request work for it. */
  readonly inspector: Inspector | undefined;
  /** The listeners' bound ports, set once they listen: the HTTPS one is where redirect-to-https points (docs/cloudfront-reference.md §16). */
  readonly listeners: { httpsPort: number | undefined };
  facts(b: ResolvedBehavior): BehaviorFacts;
}

function behaviorFacts(b: ResolvedBehavior): BehaviorFacts {
  const p = b.cachePolicy;
  const caches = !(p.minTTL === 0 && p.defaultTTL === 0 && p.maxTTL === 0);
  const cookiesForwarded = p.cookies.behavior !== 'none' || (b.originRequestPolicy !== undefined && b.originRequestPolicy.cookies.behavior !== 'none');
  const cloudFrontHeaders = wantedCloudFrontHeaders(b);
  const keyed = p.headers.behavior === 'whitelist' ? p.headers.names : [];
  return {
    cloudFrontHeaders,
    keyCloudFrontHeaders: keyed.filter((n) => n.startsWith('cloudfront-')),
    allowedMethods: new Set(b.allowedMethods),
    cachedMethods: new Set(b.cachedMethods),
    caches,
    collapses: caches && !cookiesForwarded,
    normalizesAcceptEncoding: p.enableAcceptEncodingGzip || p.enableAcceptEncodingBrotli,
    compresses: behaviorCompresses(b.compress, p),
    vary: varyFilterFor(b),
  };
}

export function createEnv(
  config: ResolvedConfig,
  runtime: FunctionRuntime,
  origins: OriginClient,
  cache: EdgeCache,
  log: Logger,
  code?: CodeSource,
  opts: { trace?: boolean; cff?: CffHost; inspector?: Inspector | undefined } = {},
): Env {
  const table = new Map<ResolvedBehavior, BehaviorFacts>();
  for (const b of config.behaviors) {
    originRequestPlan(b); // compiles the behavior's forwarding rules now rather than on its first request
    table.set(b, behaviorFacts(b));
  }
  return {
    config,
    runtime,
    origins,
    cache,
    code,
    log,
    viaSuffix: ` ${config.viaHost}.cloudfront.net (CloudFront)`,
    eventHeads: eventHeads(config),
    trace: opts.trace === true,
    cff: opts.cff,
    inspector: opts.inspector,
    listeners: { httpsPort: undefined },
    facts(b) {
      const f = table.get(b);
      if (!f) throw new Error(`behavior ${b.pathPattern} was not prepared at start`);
      return f;
    },
  };
}
