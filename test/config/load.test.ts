// Resolution, defaults, file loading (.json/.mjs), flags-only and flag overrides, freezing.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConfig } from '../../src/config/define.js';
import { DEMO_FUNCTIONS, demoConfigInput } from '../../src/config/demo.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_WORKERS_PER_FUNCTION } from '../../src/config/resolve/settings.js';
import { selectBehavior } from '../../src/config/path-pattern.js';
import { ConfigError } from '../../src/config/errors.js';

let dir: string;
const HANDLER = 'exports.handler = async (e) => e.Records[0].cf.request;\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-load-'));
  await mkdir(path.join(dir, 'fns'));
  await writeFile(path.join(dir, 'fns', 'auth.js'), HANDLER);
  await writeFile(path.join(dir, 'fns', 'log.js'), HANDLER);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('fills every CloudFront default and appends the default behavior', async () => {
    const c = await loadConfig({
      object: { origins: [{ id: 'app', url: 'http://127.0.0.1:3000/base/' }, { id: 'b', url: 'https://example.test' }] },
    });
    expect(c.distributionId).toBe('EDFDVBD6EXAMPLE');
    expect(c.distributionDomainName).toMatch(/^d[0-9a-f]{13}\.cloudfront\.net$/);
    expect(c.pop).toBe('IAD79-C3');
    expect(c.viaHost).toMatch(/^[0-9a-f]{32}$/);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080, requestHeadTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, requestBodyTimeoutMs: 30_000, maxPendingConnections: 1024 });
    expect(c.defaultTimeouts).toEqual({ viewer: 5000, origin: 30000 });
    expect(c.runtime).toEqual({ maxWorkersPerFunction: DEFAULT_WORKERS_PER_FUNCTION, accountConcurrency: 1000, idleTimeoutMs: 300_000, prewarm: false });
    expect(c.cache.maxBytes).toBe(256 * 1024 * 1024);
    expect(c.cache.errorCachingMinTtl).toBe(10);
    expect(c.cache.cacheStatusHeader).toBe(false);
    expect(c.admin).toBeUndefined();
    expect(c.log).toEqual({ format: 'text', level: 'info', accessLogFile: undefined });
    expect(c.limits).toEqual({ maxRequestHeaderBytes: 20480, maxUrlLength: 8192 });
    expect(c.viewerHeaders).toEqual({});

    expect(c.origins.get('app')).toEqual({
      id: 'app',
      url: 'http://127.0.0.1:3000/base/',
      protocol: 'http',
      domainName: '127.0.0.1',
      port: 3000,
      path: '/base',
      readTimeout: 30,
      keepaliveTimeout: 5,
      connectTimeout: 10,
      customHeaders: {},
      sslProtocols: ['TLSv1.2'],
    });
    const b = c.origins.get('b')!;
    expect([b.protocol, b.port, b.path]).toEqual(['https', 443, '']);

    expect(c.behaviors).toHaveLength(1);
    const d = c.behaviors[0]!;
    expect(d.pathPattern).toBe('*');
    expect(d.originId).toBe('app'); // the first origin
    expect(d.functions).toEqual({});
    expect(d.cachePolicy.name).toBe('CachingOptimized');
    expect(d.originRequestPolicy?.name).toBe('AllViewerExceptHostHeader');
    expect(d.compress).toBe(true);
    expect(d.allowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE']);
    expect(d.cachedMethods).toEqual(['GET', 'HEAD']);
    expect(d.matches('/anything')).toBe(true);
  });

  it('derives the domain and Via host from the distribution id, stably', async () => {
    const a1 = await loadConfig({ object: { distributionId: 'E1AAA', origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }] } });
    const a2 = await loadConfig({ object: { distributionId: 'E1AAA', origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }] } });
    const b = await loadConfig({ object: { distributionId: 'E2BBB', origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }] } });
    expect(a1.viaHost).toBe(a2.viaHost);
    expect(a1.distributionDomainName).toBe(a2.distributionDomainName);
    expect(a1.viaHost).not.toBe(b.viaHost);
    expect(a1.distributionDomainName).not.toBe(b.distributionDomainName);
  });

  it('keeps an explicit default behavior and its settings; null means no origin request policy', async () => {
    const c = await loadConfig({
      object: {
        origins: [{ id: 'o', url: 'http://[::1]:3000' }],
        behaviors: [{ pathPattern: '*', cachePolicy: 'Managed-CachingDisabled', originRequestPolicy: null, compress: false }],
      },
    });
    expect(c.behaviors).toHaveLength(1);
    expect(c.behaviors[0]!.cachePolicy.name).toBe('CachingDisabled');
    expect(c.behaviors[0]!.originRequestPolicy).toBeUndefined();
    expect(c.behaviors[0]!.compress).toBe(false);
    expect(c.origins.get('o')!.domainName).toBe('::1');
  });

  it('resolves inline policies with CloudFront console defaults and lowercase header names', async () => {
    const c = await loadConfig({
      object: {
        origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }],
        behaviors: [
          {
            pathPattern: '/a/*',
            cachePolicy: { minTTL: 0, headers: { behavior: 'whitelist', names: ['X-Tenant'] }, queryStrings: 'all', cookies: { behavior: 'allExcept', names: ['Session'] } },
            originRequestPolicy: { name: 'mine', headers: 'allViewer', queryStrings: { behavior: 'whitelist', names: ['Q'] } },
          },
        ],
      },
    });
    const b = c.behaviors[0]!;
    expect(b.cachePolicy).toEqual({
      name: 'behaviors[0].cachePolicy',
      minTTL: 0,
      defaultTTL: 86_400,
      maxTTL: 31_536_000,
      queryStrings: { behavior: 'all' },
      headers: { behavior: 'whitelist', names: ['x-tenant'] },
      cookies: { behavior: 'allExcept', names: ['Session'] },
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    expect(b.originRequestPolicy).toEqual({
      name: 'mine',
      queryStrings: { behavior: 'whitelist', names: ['Q'] },
      headers: { behavior: 'allViewer' },
      cookies: { behavior: 'none' },
    });
  });

  it('converts timeouts to ms, lowercases viewer header names, keeps custom header spelling', async () => {
    const c = await loadConfig({
      object: {
        origins: [{ id: 'o', url: 'http://127.0.0.1:3000', customHeaders: { 'X-Origin-Secret': 's3cr3t' }, readTimeout: 0.25 }],
        functions: [{ id: 'auth', file: 'fns/auth.js', timeout: 0.2, memorySize: 256, export: 'main' }],
        viewerHeaders: { 'CloudFront-Viewer-Country': 'DE', 'cloudfront-is-mobile-viewer': 'true' },
        timeouts: { viewer: 1, origin: 2.5 },
      },
      baseDir: dir,
    });
    expect(c.defaultTimeouts).toEqual({ viewer: 1000, origin: 2500 });
    expect(c.viewerHeaders).toEqual({ 'cloudfront-viewer-country': 'DE', 'cloudfront-is-mobile-viewer': 'true' });
    expect(c.origins.get('o')!.customHeaders).toEqual({ 'X-Origin-Secret': 's3cr3t' });
    expect(c.origins.get('o')!.readTimeout).toBe(0.25);
    expect(c.functions.get('auth')).toEqual({
      id: 'auth',
      file: path.join(dir, 'fns', 'auth.js'),
      exportName: 'main',
      timeoutMs: 200,
      memorySize: 256,
      configPath: 'functions[0]',
      aliases: new Map(),
    });
  });

  it('selects behaviors in order with the compiled matchers', async () => {
    const c = await loadConfig({
      object: {
        origins: [{ id: 'a', url: 'http://127.0.0.1:3000' }, { id: 'b', url: 'http://127.0.0.1:4000' }],
        behaviors: [{ pathPattern: 'api/*', origin: 'b' }, { pathPattern: '*.jpg', origin: 'b' }, { pathPattern: '*', origin: 'a' }],
      },
    });
    expect(selectBehavior(c.behaviors, '/api/v1').pathPattern).toBe('api/*');
    expect(selectBehavior(c.behaviors, '/x/y.jpg').pathPattern).toBe('*.jpg');
    expect(selectBehavior(c.behaviors, '/x/y.JPG').originId).toBe('a');
  });
});

describe('freezing', () => {
  it('deep-freezes the result, maps included', async () => {
    const c = await loadConfig({
      object: { origins: [{ id: 'o', url: 'http://127.0.0.1:3000', customHeaders: { 'X-A': '1' } }], viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' } },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.behaviors)).toBe(true);
    expect(Object.isFrozen(c.behaviors[0]!.allowedMethods)).toBe(true);
    expect(Object.isFrozen(c.viewerHeaders)).toBe(true);
    expect(Object.isFrozen(c.origins.get('o')!.customHeaders)).toBe(true);
    expect(() => (c.origins as Map<string, unknown>).set('x', {})).toThrow(/read-only/);
    expect(() => (c.functions as Map<string, unknown>).clear()).toThrow(/read-only/);
    expect(() => {
      (c.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('does not modify the input object', async () => {
    const input = { origins: [{ id: 'o', url: 'http://127.0.0.1:3000' }] };
    await loadConfig({ object: input, flags: { origin: 'http://127.0.0.1:4000' } });
    expect(input.origins[0]!.url).toBe('http://127.0.0.1:3000');
    expect(Object.isFrozen(input)).toBe(false);
  });
});

describe('config files', () => {
  it('loads JSON and resolves function files against the file\'s folder', async () => {
    const sub = path.join(dir, 'json');
    await mkdir(path.join(sub, 'functions'), { recursive: true });
    await writeFile(path.join(sub, 'functions', 'auth.js'), HANDLER);
    const file = path.join(sub, 'edgeproxy.config.json');
    await writeFile(
      file,
      JSON.stringify({
        origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }],
        functions: [{ id: 'auth', file: 'functions/auth.js' }],
        behaviors: [{ pathPattern: '/api/*', origin: 'app', functions: { 'viewer-request': { function: 'auth', includeBody: true } } }],
      }),
    );
    const c = await loadConfig({ file });
    expect(c.functions.get('auth')!.file).toBe(path.join(sub, 'functions', 'auth.js'));
    expect(c.behaviors[0]!.functions['viewer-request']).toEqual({ functionId: 'auth', includeBody: true });
  });

  it('loads the default export of an .mjs file written with defineConfig', async () => {
    const file = path.join(dir, 'edgeproxy.config.mjs');
    const cfg = defineConfig({ origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }], listen: { port: 0 } });
    await writeFile(file, `export default ${JSON.stringify(cfg)};\n`);
    const c = await loadConfig({ file });
    expect(c.listen.port).toBe(0);
  });

  it('names the file in every problem', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ origins: [{ id: 'app', url: 'http://127.0.0.1:3000' }], behaviors: [{ pathPattern: '/a', origin: 'x' }] }));
    expect(await rejection(loadConfig({ file }))).toBe(`${file}: behaviors[0].origin: unknown origin id "x" (defined: "app")`);
  });

  it('reports invalid JSON, a missing file, a module without default export, an unsupported type', async () => {
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{ "origins": [ }');
    // line:column of the first bad character, so an editor can jump there.
    expect(await rejection(loadConfig({ file: broken }))).toBe(`${broken}:1:16: invalid JSON: unexpected "}"`);
    await writeFile(broken, '{\n  "origins": [\n');
    expect(await rejection(loadConfig({ file: broken }))).toBe(`${broken}:3:1: invalid JSON: unexpected end of input`);
    await writeFile(broken, '{ "origins": [ }');

    const missing = path.join(dir, 'nope.json');
    expect(await rejection(loadConfig({ file: missing }))).toBe(`${missing}: config file not found (${missing})`);

    const noDefault = path.join(dir, 'nodefault.mjs');
    await writeFile(noDefault, 'export const config = {};\n');
    expect(await rejection(loadConfig({ file: noDefault }))).toBe(`${noDefault}: must export the configuration as its default export`);

    const throwing = path.join(dir, 'throws.mjs');
    await writeFile(throwing, 'throw new Error("boom");\n');
    expect(await rejection(loadConfig({ file: throwing }))).toBe(`${throwing}: could not load the module: boom`);

    const yaml = path.join(dir, 'c.yaml');
    await writeFile(yaml, 'origins: []\n');
    expect(await rejection(loadConfig({ file: yaml }))).toBe(`${yaml}: unsupported config file type ".yaml" (use .json, .mjs, .js or .cjs)`);
  });
});

describe('log.level', () => {
  it('comes from the config, a flag overrides it, and a bad value names the field', async () => {
    const origins = [{ id: 'o', url: 'http://127.0.0.1:3000' }];
    expect((await loadConfig({ object: { origins, log: { level: 'warn' } } })).log.level).toBe('warn');
    expect((await loadConfig({ object: { origins, log: { level: 'warn' } }, flags: { logLevel: 'error' } })).log.level).toBe('error');
    expect(await rejection(loadConfig({ object: { origins, log: { level: 'debug' } } }))).toBe('config: log.level: must be one of "info", "warn", "error"');
  });
});

describe('flags only', () => {
  it('builds a one-behavior distribution from --origin and trigger flags', async () => {
    const c = await loadConfig({
      baseDir: dir,
      flags: {
        origin: 'http://127.0.0.1:3000',
        port: 0,
        host: '::1',
        'viewer-request': 'fns/auth.js',
        'origin-response': 'fns/log.js#onResponse',
        'origin-request': 'fns/auth.js#rewrite',
        includeBody: true,
      },
    });
    expect(c.listen).toEqual({ host: '::1', port: 0, requestHeadTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, requestBodyTimeoutMs: 30_000, maxPendingConnections: 1024 });
    expect([...c.origins.keys()]).toEqual(['origin']);
    expect(c.behaviors).toHaveLength(1);
    const b = c.behaviors[0]!;
    expect(b.pathPattern).toBe('*');
    expect(b.functions).toEqual({
      'viewer-request': { functionId: 'auth.js:viewer-request', includeBody: true },
      'origin-request': { functionId: 'auth.js:origin-request', includeBody: true },
      'origin-response': { functionId: 'log.js:origin-response', includeBody: false },
    });
    expect(c.functions.get('log.js:origin-response')).toMatchObject({ file: path.join(dir, 'fns', 'log.js'), exportName: 'onResponse' });
    expect(c.functions.get('auth.js:viewer-request')!.exportName).toBe('handler');
    expect(c.functions.get('auth.js:origin-request')!.exportName).toBe('rewrite');
  });

  it('requires --origin', async () => {
    expect(await rejection(loadConfig({ flags: { 'viewer-request': 'fns/auth.js' } }))).toBe(
      '--origin: required when no config file is given (the URL of the server behind the proxy)',
    );
    expect(await rejection(loadConfig({}))).toBe('nothing to run: give --config FILE or --origin URL');
  });

  it('names the flag, not a config path, for a bad value', async () => {
    expect(await rejection(loadConfig({ flags: { origin: 'ftp://x' } }))).toBe('--origin: must be an http:// or https:// URL, got "ftp://x"');
    expect(await rejection(loadConfig({ baseDir: dir, flags: { origin: 'http://127.0.0.1:3000', 'viewer-response': 'fns/none.js' } }))).toBe(
      `--viewer-response: file not found: ${path.join(dir, 'fns', 'none.js')}`,
    );
    expect(await rejection(loadConfig({ baseDir: dir, flags: { origin: 'http://127.0.0.1:3000', 'viewer-response': 'fns/auth.js#' } }))).toBe(
      '--viewer-response: must be a JavaScript export name, e.g. "handler"',
    );
    expect(await rejection(loadConfig({ flags: { origin: 'http://127.0.0.1:3000', port: 70000 } }))).toBe(
      '--port: expected a port number 0-65535, got 70000',
    );
  });

  it('rejects --include-body without a request trigger', async () => {
    expect(await rejection(loadConfig({ baseDir: dir, flags: { origin: 'http://127.0.0.1:3000', includeBody: true, 'viewer-response': 'fns/auth.js' } }))).toBe(
      '--include-body: needs --viewer-request or --origin-request (AWS rule: association rules)',
    );
  });
});

describe('flags with a config', () => {
  const object = {
    origins: [{ id: 'app', url: 'http://127.0.0.1:3000/base' }, { id: 'other', url: 'http://127.0.0.1:4000' }],
    listen: { host: '127.0.0.1', port: 9000 },
    behaviors: [{ pathPattern: '*', origin: 'app' }],
  };

  it('--origin replaces the first origin URL; --port and --host replace listen', async () => {
    const c = await loadConfig({ object, flags: { origin: 'https://127.0.0.1:5000/v2', port: 0, host: '0.0.0.0' } });
    expect(c.origins.get('app')).toMatchObject({ url: 'https://127.0.0.1:5000/v2', protocol: 'https', port: 5000, path: '/v2' });
    expect(c.origins.get('other')!.port).toBe(4000);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 0, requestHeadTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, requestBodyTimeoutMs: 30_000, maxPendingConnections: 1024 });
  });

  it('reports a bad --origin by the flag', async () => {
    expect(await rejection(loadConfig({ object, flags: { origin: 'http://127.0.0.1:22' } }))).toBe(
      '--origin: port 22 is not one CloudFront can use: 80, 443, or 1024-65535 (AWS rule: request.origin)',
    );
  });

  it('refuses trigger flags and --include-body', async () => {
    expect(await rejection(loadConfig({ object, flags: { 'viewer-request': 'fns/auth.js' } }))).toBe(
      "--viewer-request: cannot be combined with a config file; associate functions in the config file's behaviors",
    );
    expect(await rejection(loadConfig({ object, flags: { includeBody: true } }))).toMatch(/^--include-body: cannot be combined with a config file/);
  });
});

describe('demo config', () => {
  it('uses the four example functions from <projectRoot>/functions', () => {
    const input = demoConfigInput('http://127.0.0.1:5555', '/proj');
    expect(input.origins[0]!.url).toBe('http://127.0.0.1:5555');
    // The four Lambda@Edge examples; the CloudFront Function example (short-links.js) is the fifth.
    expect(input.functions!.filter((f) => f.runtime === undefined).map((f) => f.file)).toEqual(Object.values(DEMO_FUNCTIONS).map((f) => path.join('/proj', 'functions', f)));
    expect(input.functions!.filter((f) => f.runtime !== undefined).map((f) => [f.file, f.runtime])).toEqual([[path.join('/proj', 'functions', 'short-links.js'), 'cloudfront-js-2.0']]);
    const def = input.behaviors!.at(-1)!;
    expect(def.pathPattern).toBe('*');
    expect(Object.keys(def.functions!)).toEqual(['viewer-request', 'origin-request', 'origin-response', 'viewer-response']);
  });

  it('loads against this repository when the example functions exist', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const c = await loadConfig({ object: demoConfigInput('http://127.0.0.1:5555', root), baseDir: root });
    expect(c.behaviors.map((b) => b.pathPattern)).toEqual(['/api/*', '/go/*', '/app/*', '*']);
    expect(c.functions.size).toBe(5);
    expect(c.functions.get('short-links')?.cff).toEqual({ runtime: 'cloudfront-js-2.0', keyValueStore: 'short-links' });
    expect(c.behaviors[0]!.cachePolicy.name).toBe('CachingDisabled');
  });
});
