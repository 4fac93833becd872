// Each rule of the config schema and its cross-field checks: the error names the path and says why.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-schema-'));
  await mkdir(path.join(dir, 'functions'));
  await writeFile(path.join(dir, 'functions', 'auth.js'), 'exports.handler = async (e) => e.Records[0].cf.request;\n');
  await writeFile(path.join(dir, 'functions', 'rewrite.js'), 'exports.handler = async (e) => e.Records[0].cf.request;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const origin = { id: 'app', url: 'http://127.0.0.1:3000' };

/** A valid config, with `patch` merged in at the top level. */
function config(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    origins: [origin],
    functions: [
      { id: 'auth', file: 'functions/auth.js' },
      { id: 'rewrite', file: 'functions/rewrite.js' },
    ],
    behaviors: [{ pathPattern: '/api/*', origin: 'app' }],
    ...patch,
  };
}

async function problemLines(object: unknown): Promise<string[]> {
  try {
    await loadConfig({ object, baseDir: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('expected loadConfig to reject');
}

async function problem(object: unknown): Promise<string> {
  const lines = await problemLines(object);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('the baseline config', () => {
  it('loads', async () => {
    const c = await loadConfig({ object: config(), baseDir: dir });
    expect(c.behaviors.map((b) => b.pathPattern)).toEqual(['/api/*', '*']);
  });
});

describe('shape errors', () => {
  it('names an unknown top-level key and suggests the right spelling', async () => {
    expect(await problem(config({ Origins: [] }))).toBe('config: Origins: unknown field (did you mean "origins"?)');
  });

  it('names an unknown nested key with its full path', async () => {
    expect(await problem(config({ behaviors: [{ pathPattern: '/a', origin: 'app', compres: true }] }))).toBe(
      'config: behaviors[0].compres: unknown field (did you mean "compress"?)',
    );
  });

  it('requires origins', async () => {
    expect(await problem({})).toBe('config: origins: is required');
  });

  it('requires at least one origin', async () => {
    expect(await problem({ origins: [] })).toBe('config: origins: must define at least one origin');
  });

  it('rejects a non-object config', async () => {
    expect(await problem(42)).toMatch(/^config: \(top level\): expected object, got number/);
  });

  it('names the wrong type', async () => {
    expect(await problem(config({ listen: { port: '8080' } }))).toBe('config: listen.port: expected number, got string');
  });

  it('explains a bad association object by its deepest field', async () => {
    const c = config({ behaviors: [{ pathPattern: '/a', origin: 'app', functions: { 'viewer-request': { function: 3 } } }] });
    expect(await problem(c)).toBe('config: behaviors[0].functions.viewer-request.function: expected string, got number');
  });

  it('explains an association that is neither a string nor an object', async () => {
    const c = config({ behaviors: [{ pathPattern: '/a', origin: 'app', functions: { 'viewer-request': 7 } }] });
    expect(await problem(c)).toBe('config: behaviors[0].functions.viewer-request: expected a string, or an object');
  });

  it('rejects an unknown event type in functions', async () => {
    const c = config({ behaviors: [{ pathPattern: '/a', origin: 'app', functions: { 'viewer-requests': 'auth' } }] });
    expect(await problem(c)).toBe('config: behaviors[0].functions.viewer-requests: unknown field (did you mean "viewer-request"?)');
  });

  it('lists several problems, one per line', async () => {
    const lines = await problemLines({ origins: [{ id: '', url: 'http://x:3000', readTimeout: 0 }], extra: 1 });
    expect(lines).toEqual([
      'config: origins[0].id: must not be empty',
      'config: origins[0].readTimeout: must be a number of seconds > 0',
      'config: extra: unknown field',
    ]);
  });
});

describe('ids and references', () => {
  it('rejects duplicate origin ids', async () => {
    expect(await problem(config({ origins: [origin, { ...origin }] }))).toBe('config: origins[1].id: duplicate id "app" (also origins[0])');
  });

  it('rejects duplicate function ids', async () => {
    const fns = [
      { id: 'auth', file: 'functions/auth.js' },
      { id: 'auth', file: 'functions/rewrite.js' },
    ];
    expect(await problem(config({ functions: fns }))).toBe('config: functions[1].id: duplicate id "auth" (also functions[0])');
  });

  it('rejects an unknown origin id in a behavior', async () => {
    expect(await problem(config({ behaviors: [{ pathPattern: '/a', origin: 'nope' }] }))).toBe(
      'config: behaviors[0].origin: unknown origin id "nope" (defined: "app")',
    );
  });

  it('requires behavior.origin when there are several origins', async () => {
    const c = config({ origins: [origin, { id: 'b', url: 'http://127.0.0.1:4000' }], behaviors: [{ pathPattern: '/a' }] });
    expect(await problem(c)).toBe('config: behaviors[0].origin: is required when there is more than one origin');
  });

  it('rejects an unknown function id in an association (string form)', async () => {
    const c = config({ functions: [], behaviors: [{ pathPattern: '/api/*', origin: 'app', functions: { 'viewer-request': 'auth' } }] });
    expect(await problem(c)).toBe('config: behaviors[0].functions.viewer-request: unknown function id "auth" (no functions are defined)');
  });

  it('rejects an unknown function id in an association (object form)', async () => {
    const c = config({ behaviors: [{ pathPattern: '/a', origin: 'app', functions: { 'origin-request': { function: 'x' } } }] });
    expect(await problem(c)).toBe(
      'config: behaviors[0].functions.origin-request.function: unknown function id "x" (defined: "auth", "rewrite")',
    );
  });

  it('rejects includeBody on response triggers (AWS rule: association rules)', async () => {
    const c = config({
      behaviors: [{ pathPattern: '/a', origin: 'app', functions: { 'origin-response': { function: 'auth', includeBody: true } } }],
    });
    expect(await problem(c)).toBe(
      'config: behaviors[0].functions.origin-response.includeBody: only viewer-request and origin-request associations can include the body (AWS rule: association rules)',
    );
  });

  it('names the function file that does not exist and the field', async () => {
    const c = config({ functions: [{ id: 'auth', file: 'functions/missing.js' }] });
    expect(await problem(c)).toBe(`config: functions[0].file: file not found: ${path.join(dir, 'functions', 'missing.js')}`);
  });

  it('rejects a function file that is a folder', async () => {
    expect(await problem(config({ functions: [{ id: 'auth', file: 'functions' }] }))).toMatch(/^config: functions\[0\]\.file: not a file: /);
  });
});

describe('path patterns (AWS rule: cache behaviors and path patterns)', () => {
  const withPatterns = (...patterns: string[]) => config({ behaviors: patterns.map((pathPattern) => ({ pathPattern, origin: 'app' })) });

  it('rejects characters CloudFront does not allow', async () => {
    expect(await problem(withPatterns('/a b/*'))).toMatch(/^config: behaviors\[0\]\.pathPattern: character " " is not allowed/);
  });

  it('rejects more than 255 characters', async () => {
    expect(await problem(withPatterns(`/${'x'.repeat(300)}`))).toBe(
      'config: behaviors[0].pathPattern: must be at most 255 characters, got 301',
    );
  });

  it('rejects an empty pattern', async () => {
    expect(await problem(withPatterns(''))).toBe('config: behaviors[0].pathPattern: must not be empty');
  });

  it('allows "*" only as the last behavior', async () => {
    expect(await problem(withPatterns('*', '/a'))).toBe('config: behaviors[0].pathPattern: the default behavior "*" must be the last behavior');
  });

  it('rejects duplicate patterns, treating the leading slash as optional', async () => {
    expect(await problem(withPatterns('/img/*', 'img/*'))).toBe('config: behaviors[1].pathPattern: duplicate path pattern (same as behaviors[0])');
  });
});

describe('methods', () => {
  const withMethods = (b: Record<string, unknown>) => config({ behaviors: [{ pathPattern: '/a', origin: 'app', ...b }] });

  it.each([[['GET', 'HEAD']], [['HEAD', 'GET', 'OPTIONS']], [['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']]])(
    'accepts CloudFront set %j in any order',
    async (allowedMethods) => {
      const c = await loadConfig({ object: withMethods({ allowedMethods }), baseDir: dir });
      expect(c.behaviors[0]!.allowedMethods).toHaveLength(allowedMethods.length);
      expect(c.behaviors[0]!.allowedMethods[0]).toBe('GET');
    },
  );

  it('rejects a set CloudFront does not offer', async () => {
    expect(await problem(withMethods({ allowedMethods: ['GET', 'POST'] }))).toMatch(
      /^config: behaviors\[0\]\.allowedMethods: must be one of \["GET","HEAD"\], \["GET","HEAD","OPTIONS"\], .* got \["GET","POST"\]$/,
    );
  });

  it('rejects lowercase method names', async () => {
    expect(await problem(withMethods({ allowedMethods: ['get', 'head'] }))).toMatch(/allowedMethods: must be one of/);
  });

  it('rejects cachedMethods that are not a CloudFront set', async () => {
    expect(await problem(withMethods({ cachedMethods: ['GET'] }))).toMatch(/^config: behaviors\[0\]\.cachedMethods: must be one of/);
  });

  it('rejects caching OPTIONS when OPTIONS is not allowed', async () => {
    expect(await problem(withMethods({ allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD', 'OPTIONS'] }))).toBe(
      'config: behaviors[0].cachedMethods: must be a subset of allowedMethods ["GET","HEAD"]',
    );
  });
});

describe('origins', () => {
  const withOrigin = (o: Record<string, unknown>) => config({ origins: [{ ...origin, ...o }] });

  it.each([
    ['ftp://127.0.0.1:3000', 'must be an http:// or https:// URL, got "ftp://127.0.0.1:3000"'],
    ['not a url', 'not a valid URL: "not a url" (expected e.g. http://127.0.0.1:3000)'],
    ['http://127.0.0.1:3000/base?x=1', 'must not contain a query string or fragment (an origin path is a path only, AWS rule: request.origin)'],
    ['http://user:pw@127.0.0.1:3000', 'must not contain credentials; use customHeaders instead'],
    ['http://127.0.0.1:81', 'port 81 is not one CloudFront can use: 80, 443, or 1024-65535 (AWS rule: request.origin)'],
  ])('rejects url %s', async (url, message) => {
    expect(await problem(withOrigin({ url }))).toBe(`config: origins[0].url: ${message}`);
  });

  it.each([
    ['readTimeout', 121, 'must be at most 120 seconds'],
    ['keepaliveTimeout', 0, 'must be a number of seconds > 0'],
    ['connectTimeout', 11, 'must be at most 10 seconds'],
  ])('checks %s = %s', async (field, value, message) => {
    expect(await problem(withOrigin({ [field]: value }))).toBe(`config: origins[0].${field}: ${message}`);
  });

  it('rejects an unknown SSL protocol', async () => {
    expect(await problem(withOrigin({ sslProtocols: ['TLSv1.3'] }))).toBe(
      'config: origins[0].sslProtocols[0]: must be one of "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"',
    );
  });

  it.each([['Host'], ['X-Amz-Date'], ['x-edge-thing'], ['Cache-Control'], ['X-Forwarded-Proto'], ['X-Cache']])(
    'rejects custom header %s CloudFront cannot add (AWS rule: headers CloudFront adds, removes or replaces)',
    async (name) => {
      expect(await problem(withOrigin({ customHeaders: { [name]: 'v' } }))).toBe(
        `config: origins[0].customHeaders.${name}: CloudFront cannot add "${name}" as an origin custom header (AWS rule: headers CloudFront adds, removes or replaces)`,
      );
    },
  );

  it('rejects invalid header names, duplicates and control characters in custom headers', async () => {
    const lines = await problemLines(withOrigin({ customHeaders: { 'Bad Name': 'v', 'X-A': '1', 'x-a': '2', 'X-B': 'a\r\nb' } }));
    expect(lines).toEqual([
      'config: origins[0].customHeaders.Bad Name: not a valid header name',
      'config: origins[0].customHeaders.x-a: duplicate header name (names are case-insensitive)',
      'config: origins[0].customHeaders.X-B: value must not contain control characters',
    ]);
  });
});

describe('functions', () => {
  const withFn = (f: Record<string, unknown>) => config({ functions: [{ id: 'auth', file: 'functions/auth.js', ...f }] });

  it.each([
    ['timeout', 31, 'must be at most 30 seconds'],
    ['timeout', -1, 'must be a number of seconds > 0'],
    ['memorySize', 64, 'must be at least 128 (MB)'],
    ['memorySize', 10241, 'must be at most 10240 (MB)'],
    ['memorySize', 128.5, 'must be a whole number of MB'],
    ['export', 'not-an-identifier', 'must be a JavaScript export name, e.g. "handler"'],
  ])('checks %s = %j', async (field, value, message) => {
    expect(await problem(withFn({ [field]: value }))).toBe(`config: functions[0].${field}: ${message}`);
  });

  it('checks trigger default timeouts', async () => {
    expect(await problem(config({ timeouts: { viewer: 60 } }))).toBe('config: timeouts.viewer: must be at most 30 seconds');
  });
});

describe('policies', () => {
  const withPolicy = (b: Record<string, unknown>) => config({ behaviors: [{ pathPattern: '/a', origin: 'app', ...b }] });

  it('rejects an unknown managed cache policy and lists the known ones', async () => {
    expect(await problem(withPolicy({ cachePolicy: 'CachingOptimised' }))).toMatch(
      /^config: behaviors\[0\]\.cachePolicy: unknown managed cache policy "CachingOptimised" \(did you mean "CachingOptimized"\?\); known: CachingOptimized, .*CachingDisabled/,
    );
  });

  it('reports a misspelt policy name in the same run as a type error elsewhere', async () => {
    const lines = await problemLines(
      config({
        timeouts: { viewer: 'five' },
        behaviors: [{ pathPattern: '/a', origin: 'app', cachePolicy: 'CachingDisable', originRequestPolicy: 'AllViewr', responseHeadersPolicy: 'SecurityHeaderPolicy' }],
      }),
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^config: timeouts\.viewer: /);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^config: behaviors\[0\]\.cachePolicy: unknown managed cache policy "CachingDisable" \(did you mean "CachingDisabled"\?\); known: /),
      expect.stringMatching(/^config: behaviors\[0\]\.originRequestPolicy: unknown managed origin request policy "AllViewr" \(did you mean "AllViewer"\?\); known: /),
      expect.stringMatching(/^config: behaviors\[0\]\.responseHeadersPolicy: unknown managed response headers policy "SecurityHeaderPolicy" \(did you mean "SecurityHeadersPolicy"\?\); known: /),
    ]);
  });

  it('reports a policy name only once when its own value is the type error', async () => {
    const lines = await problemLines(config({ timeouts: { viewer: 'five' }, behaviors: [{ pathPattern: '/a', origin: 'app', cachePolicy: 42 }] }));
    expect(lines.filter((l) => l.includes('behaviors[0].cachePolicy'))).toHaveLength(1);
  });

  it('rejects an unknown managed origin request policy', async () => {
    expect(await problem(withPolicy({ originRequestPolicy: 'AllHeaders' }))).toMatch(
      /^config: behaviors\[0\]\.originRequestPolicy: unknown managed origin request policy "AllHeaders"/,
    );
  });

  it('requires names for a whitelist', async () => {
    expect(await problem(withPolicy({ cachePolicy: { queryStrings: { behavior: 'whitelist' } } }))).toBe(
      'config: behaviors[0].cachePolicy.queryStrings.names: is required',
    );
  });

  it('rejects an unknown selection behavior', async () => {
    expect(await problem(withPolicy({ cachePolicy: { cookies: { behavior: 'some' } } }))).toBe(
      'config: behaviors[0].cachePolicy.cookies.behavior: must be one of "none", "all", "whitelist", "allExcept"',
    );
  });

  it('rejects an unknown shorthand', async () => {
    expect(await problem(withPolicy({ cachePolicy: { queryStrings: 'some' } }))).toBe(
      'config: behaviors[0].cachePolicy.queryStrings: expected "none" | "all", or an object',
    );
  });

  it('rejects minTTL > defaultTTL and defaultTTL > maxTTL', async () => {
    expect(await problemLines(withPolicy({ cachePolicy: { minTTL: 10, defaultTTL: 5, maxTTL: 1 } }))).toEqual([
      'config: behaviors[0].cachePolicy.defaultTTL: must be >= minTTL (10)',
      'config: behaviors[0].cachePolicy.maxTTL: must be >= defaultTTL (5)',
    ]);
  });

  it('allows at most 10 names in a cache policy (AWS rule: cache key and cache policies)', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `h${i}`);
    expect(await problem(withPolicy({ cachePolicy: { headers: { behavior: 'whitelist', names } } }))).toBe(
      'config: behaviors[0].cachePolicy.headers.names: at most 10 names are allowed, got 11 (AWS rule: cache key and cache policies)',
    );
  });

  it('keeps origin-request-only CloudFront headers out of cache policies (AWS rule: cache key and cache policies)', async () => {
    expect(await problem(withPolicy({ cachePolicy: { headers: { behavior: 'whitelist', names: ['CloudFront-Viewer-TLS'] } } }))).toBe(
      'config: behaviors[0].cachePolicy.headers.names[0]: "CloudFront-Viewer-TLS" can only be in an origin request policy, not a cache policy (AWS rule: cache key and cache policies)',
    );
  });

  it('only accepts CloudFront-* names for allViewerAndWhitelistCloudFront', async () => {
    const orp = { headers: { behavior: 'allViewerAndWhitelistCloudFront', names: ['CloudFront-Viewer-Country', 'X-Foo'] } };
    expect(await problem(withPolicy({ originRequestPolicy: orp }))).toBe(
      'config: behaviors[0].originRequestPolicy.headers.names[1]: "X-Foo" is not a CloudFront-* header CloudFront can add (AWS rule: CloudFront-added viewer headers)',
    );
  });

  it('rejects duplicate header names case-insensitively', async () => {
    const orp = { headers: { behavior: 'whitelist', names: ['X-A', 'x-a'] } };
    expect(await problem(withPolicy({ originRequestPolicy: orp }))).toBe(
      'config: behaviors[0].originRequestPolicy.headers.names[1]: duplicate name "x-a"',
    );
  });
});

describe('viewerHeaders (AWS rule: CloudFront-added viewer headers)', () => {
  it('rejects a name that is not a CloudFront-* viewer header', async () => {
    expect(await problem(config({ viewerHeaders: { 'X-Country': 'DE' } }))).toBe(
      'config: viewerHeaders.X-Country: not a CloudFront-* viewer header (the AWS rule on CloudFront-added viewer headers lists the names, e.g. CloudFront-Viewer-Country)',
    );
  });

  it.each([
    ['CloudFront-Viewer-Country', 'de', 'must be an ISO 3166-1 alpha-2 code like "DE", got "de"'],
    ['CloudFront-Is-Mobile-Viewer', 'yes', 'must be "true" or "false", got "yes"'],
    ['CloudFront-Forwarded-Proto', 'ftp', 'must be "http" or "https", got "ftp"'],
  ])('checks the value of %s', async (name, value, message) => {
    expect(await problem(config({ viewerHeaders: { [name]: value } }))).toBe(`config: viewerHeaders.${name}: ${message}`);
  });
});

describe('distribution fields', () => {
  it.each([
    ['distributionId', 'edfdvbd6example', 'must be 1-32 uppercase letters or digits, like "EDFDVBD6EXAMPLE"'],
    ['domainName', 'Not A Domain', 'must be a lowercase DNS name, like "d111111abcdef8.cloudfront.net"'],
    ['pop', 'iad', 'must look like "IAD79-C3"'],
  ])('checks %s', async (field, value, message) => {
    expect(await problem(config({ [field]: value }))).toBe(`config: ${field}: ${message}`);
  });

  it('checks listen.port range', async () => {
    expect(await problem(config({ listen: { port: 70000 } }))).toBe('config: listen.port: must be a port number 0-65535');
  });

  it('checks runtime.maxWorkersPerFunction', async () => {
    expect(await problem(config({ runtime: { maxWorkersPerFunction: 0 } }))).toBe('config: runtime.maxWorkersPerFunction: must be at least 1');
  });
});
