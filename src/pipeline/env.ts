// What every stage needs and that is built once at start: config, runtime, origin client, and
// per-behavior facts precomputed so the hot path only looks them up.

import type { ResolvedBehavior, ResolvedConfig } from '../config/types.js';
import { originRequestPlan } from '../event/origin-request.js';
import { wantedCloudFrontHeaders } from '../event/viewer-headers.js';
import type { Logger } from '../log.js';
import type { OriginClient } from '../origin/client.js';
import type { FunctionRuntime } from '../runtime/types.js';

export interface BehaviorFacts {
  /** Lowercase CloudFront-* header names the behavior's policies ask for (spec §7). */
  readonly cloudFrontHeaders: readonly string[];
  readonly allowedMethods: ReadonlySet<string>;
}

export interface Env {
  readonly config: ResolvedConfig;
  readonly runtime: FunctionRuntime;
  readonly origins: OriginClient;
  readonly log: Logger;
  /** `1.1 <hex>.cloudfront.net (CloudFront)` without the version: the version is the viewer's. */
  readonly viaSuffix: string;
  facts(b: ResolvedBehavior): BehaviorFacts;
}

export function createEnv(config: ResolvedConfig, runtime: FunctionRuntime, origins: OriginClient, log: Logger): Env {
  const table = new Map<ResolvedBehavior, BehaviorFacts>();
  for (const b of config.behaviors) {
    originRequestPlan(b); // compiles the behavior's forwarding rules now rather than on its first request
    table.set(b, {
      cloudFrontHeaders: wantedCloudFrontHeaders(b),
      allowedMethods: new Set(b.allowedMethods),
    });
  }
  return {
    config,
    runtime,
    origins,
    log,
    viaSuffix: ` ${config.viaHost}.cloudfront.net (CloudFront)`,
    facts(b) {
      const f = table.get(b);
      if (!f) throw new Error(`behavior ${b.pathPattern} was not prepared at start`);
      return f;
    },
  };
}
