// The distribution a test event is built in: the user's config (file, object or loaded), or the one
// `edgeproxy --origin http://127.0.0.1:3000` runs, loaded once per process. Loaded through loadConfig,
// so every default and policy is the proxy's own.

import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { selectBehavior } from '../config/path-pattern.js';
import type { ResolvedBehavior, ResolvedConfig, ResolvedOrigin } from '../config/types.js';
import { didYouMean } from '../suggest.js';
import type { DistributionInput } from './types.js';

/** The origin of the default distribution: where `edgeproxy --origin …` examples point. */
export const DEFAULT_ORIGIN = 'http://127.0.0.1:3000';

function isResolved(c: DistributionInput): c is ResolvedConfig {
  return typeof c === 'object' && c !== null && (c as { origins?: unknown }).origins instanceof Map;
}

const loaded = new Map<string, Promise<ResolvedConfig>>();
const loadedObjects = new WeakMap<object, Promise<ResolvedConfig>>();

/** A config, loaded once per file (by absolute path) or object. */
export function distribution(input: DistributionInput | undefined): Promise<ResolvedConfig> {
  if (input === undefined) return cachedFile(`flags:${DEFAULT_ORIGIN}`, () => loadConfig({ flags: { origin: DEFAULT_ORIGIN } }));
  if (typeof input === 'string') {
    const abs = path.resolve(input);
    return cachedFile(abs, () => loadConfig({ file: abs }));
  }
  if (isResolved(input)) return Promise.resolve(input);
  let p = loadedObjects.get(input);
  if (p === undefined) {
    p = loadConfig({ object: input });
    loadedObjects.set(input, p);
    p.catch(() => loadedObjects.delete(input));
  }
  return p;
}

function cachedFile(key: string, load: () => Promise<ResolvedConfig>): Promise<ResolvedConfig> {
  let p = loaded.get(key);
  if (p === undefined) {
    p = load();
    loaded.set(key, p);
    // A config that failed to load is read again next time (the user may have fixed it).
    p.catch(() => loaded.delete(key));
  }
  return p;
}

/** The behavior named by its path pattern, or the one the proxy selects for `uri` (docs/cloudfront-reference.md §6.1). */
export function behaviorFor(config: ResolvedConfig, uri: string, pattern: string | undefined): { behavior: ResolvedBehavior; origin: ResolvedOrigin } {
  let behavior: ResolvedBehavior;
  if (pattern === undefined) behavior = selectBehavior(config.behaviors, uri);
  else {
    const found = config.behaviors.find((b) => b.pathPattern === pattern);
    if (found === undefined) {
      const patterns = config.behaviors.map((b) => b.pathPattern);
      throw new ConfigError('UsageError', `--behavior: no behavior has the path pattern "${pattern}"${didYouMean(pattern, patterns)}; the config has ${patterns.map((p) => `"${p}"`).join(', ')}`);
    }
    behavior = found;
  }
  const origin = config.origins.get(behavior.originId);
  if (origin === undefined) throw new ConfigError('InvalidConfig', `behavior "${behavior.pathPattern}": origin "${behavior.originId}" is not defined`);
  return { behavior, origin };
}
