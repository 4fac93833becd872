// Config file and/or CLI flags → validated, resolved, deep-frozen ResolvedConfig. Runs once at
// start; everything the hot path needs (matchers, policies, lowercase names, ms timeouts, every
// default) is computed here. The steps, each in its own module: read the source (sources.ts),
// check its shape (schema.ts), resolve each part (resolve/), report every problem at once, each
// naming where it is (problems.ts), and freeze the result (freeze.ts).

import { DEFAULT_ACCOUNT_CONCURRENCY } from './defaults.js';
import { deepFreeze, frozenMap } from './freeze.js';
import { resolveLambda } from './lambda.js';
import { issuesToProblems, Problems } from './problems.js';
import { resolveBehaviors } from './resolve/behaviors.js';
import { resolveCustomErrorResponses } from './resolve/custom-error-responses.js';
import { cffRuntimeOf, resolveKeyValueStores } from './resolve/cff.js';
import { resolveFunction } from './resolve/functions.js';
import { resolveHttpsListener } from './resolve/https.js';
import { resolveOriginGroups } from './resolve/origin-groups.js';
import { resolveGeoRestriction } from './resolve/restrictions.js';
import { checkUniqueIds, resolveOrigin } from './resolve/origins.js';
import { checkNameReferences } from './resolve/references.js';
import { resolveSettings } from './resolve/settings.js';
import { resolveKeyGroups } from './resolve/trusted-key-groups.js';
import { resolveViewerHeaders } from './resolve/viewer-headers.js';
import { configSchema, KNOWN_KEYS } from './schema.js';
import { applyFlagOverrides, type LoadSource, readSource } from './sources.js';
import type { ResolvedConfig, ResolvedFunction, ResolvedOrigin } from './types.js';

export type { ConfigInput } from './schema.js';
export type { FlagOverrides, LoadSource } from './sources.js';

/**
 * Load, validate and resolve the configuration. Throws ConfigError whose message has one line per
 * problem, each naming the file (or flag) and the field.
 */
export async function loadConfig(src: LoadSource): Promise<ResolvedConfig> {
  const flags = src.flags ?? {};
  const source = await readSource(src);
  // Typed explicitly: TypeScript narrows after a `never` method call only on an annotated name.
  const problems: Problems = new Problems(source.label, source.flagFor);
  const parsed = configSchema.safeParse(source.raw);
  if (!parsed.success) {
    const issues = issuesToProblems(parsed.error.issues, KNOWN_KEYS);
    problems.addAll(issues);
    // A misspelt policy name is reported in the same run as the type errors.
    checkNameReferences(source.raw, new Set(issues.map((p) => p.path)), problems);
    problems.fail();
  }
  const data = parsed.data;
  applyFlagOverrides(data, flags, source);

  checkUniqueIds(data.origins, 'origins', problems);
  checkUniqueIds(data.functions ?? [], 'functions', problems);

  const origins = new Map<string, ResolvedOrigin>();
  data.origins.forEach((o, i) => {
    const r = resolveOrigin(o, ['origins', i], problems);
    if (r !== undefined && !origins.has(r.id)) origins.set(r.id, r);
  });

  const originGroups = resolveOriginGroups(data, origins, problems);

  const keyValueStores = await resolveKeyValueStores(data.keyValueStores, source.baseDir, problems);
  const storeNames = new Set(keyValueStores.keys());
  const functions = new Map<string, ResolvedFunction>();
  const resolvedFns = await Promise.all((data.functions ?? []).map((f, i) => resolveFunction(f, ['functions', i], source.baseDir, problems, storeNames)));
  resolvedFns.forEach((f, i) => {
    if (f === undefined || functions.has(f.id)) return;
    // A function from --viewer-request & co. is named by its flag in every later message.
    const flag = source.flagFor.get(`functions[${i}]`);
    functions.set(f.id, flag === undefined ? f : { ...f, configPath: flag });
  });
  // Lambda refuses reservations that leave nothing for the other functions (docs/cloudfront-reference.md §9.2).
  const accountConcurrency = data.runtime?.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
  const reserved = (data.functions ?? []).reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
  if (reserved > accountConcurrency) {
    problems.add('functions[].reservedConcurrency', `the reservations add up to ${reserved}, more than runtime.accountConcurrency (${accountConcurrency})`);
  }

  const keyGroups = await resolveKeyGroups(data, source.baseDir, problems);
  const behaviors = resolveBehaviors(
    data,
    {
      origins,
      originIds: data.origins.map((o) => o.id),
      originGroups,
      groupIds: (data.originGroups ?? []).map((g) => g.id),
      functions: new Set((data.functions ?? []).map((f) => f.id)),
      functionIds: (data.functions ?? []).map((f) => f.id),
      aliasNames: new Map((data.functions ?? []).map((f) => [f.id, Object.keys(f.aliases ?? {})] as const)),
      runtimes: new Map((data.functions ?? []).map((f) => [f.id, cffRuntimeOf(f)] as const)),
      keyGroups,
    },
    problems,
  );
  const viewerHeaders = resolveViewerHeaders(data.viewerHeaders, problems);
  const customErrors = resolveCustomErrorResponses(data.customErrorResponses, problems);
  const geoRestriction = resolveGeoRestriction(data, problems);
  const https = resolveHttpsListener(data, flags, source.baseDir, problems);
  const lambda = resolveLambda(data.lambda, flags, { functionIds: [...functions.keys()], baseDir: source.baseDir });
  problems.addAll(lambda.problems);
  problems.throwIfAny();

  const { distributionId, distributionDomainName, pop, viaHost, listen, ...rest } = resolveSettings(data, flags, source.baseDir, https);
  const config: ResolvedConfig = {
    distributionId,
    distributionDomainName,
    pop,
    viaHost,
    listen,
    origins: frozenMap(origins),
    originGroups: frozenMap(originGroups),
    geoRestriction,
    functions: frozenMap(functions),
    keyValueStores,
    behaviors,
    viewerHeaders,
    ...rest,
    customErrorResponses: frozenMap(customErrors),
    lambda: lambda.config,
  };
  return deepFreeze(config);
}
