// The demo site and the example functions must agree: every link on every page reaches a 200
// once the viewer-request and origin-request examples have done their work against the real
// demo origin, and the pages stay within the Content-Security-Policy that security-headers.js
// sends. (The lead's e2e tests run the same through the real proxy.)
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSiteRoot, startDemoOrigin, type DemoOrigin } from '../../src/demo/origin.js';
import { closeWorkers, invoke } from 'edgeproxy/testing';
import { asRecord, FUNCTIONS_DIR, headersOf } from '../functions/support.js';

// The example functions run as the proxy runs them, through the public test kit (docs/testing.md).
const redirect = `${FUNCTIONS_DIR}redirect.js`;
const directoryIndex = `${FUNCTIONS_DIR}directory-index.js`;
const cacheControl = `${FUNCTIONS_DIR}cache-control.js`;

/** Links that are meant to fail, to show error handling. */
const EXPECTED_404 = new Set(['/no-such-page']);

interface EdgeResult {
  status: number;
  redirects: string[];
  originUri: string;
  headers: Headers;
}

/** viewer-request (following generated redirects, bounded) → origin-request → demo origin. */
async function throughEdge(originUrl: string, target: string): Promise<EdgeResult> {
  const redirects: string[] = [];
  let url = new URL(target, 'http://127.0.0.1:8080');
  for (let hop = 0; hop < 5; hop++) {
    const vr = asRecord((await invoke({ file: redirect, trigger: 'viewer-request', uri: url.pathname, querystring: url.search.slice(1) })).result);
    if (!('status' in vr)) break;
    const location = headersOf(vr)['location']?.[0]?.value ?? '';
    redirects.push(`${String(vr['status'])} ${location}`);
    url = new URL(location, url);
  }
  const or = asRecord((await invoke({ file: directoryIndex, trigger: 'origin-request', uri: url.pathname })).result);
  const originUri = String(or['uri']);
  const res = await fetch(`${originUrl}${originUri}${url.search}`);
  await res.arrayBuffer();
  return { status: res.status, redirects, originUri, headers: res.headers };
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => join(e.parentPath, e.name));
}

function localLinks(html: string): string[] {
  return [...html.matchAll(/\b(?:href|src)="(\/[^"#]*)"/g)].map((m) => m[1] ?? '');
}

describe('demo site through the example functions', () => {
  let origin: DemoOrigin;
  const root = defaultSiteRoot();
  beforeAll(async () => {
    origin = await startDemoOrigin({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await origin.close();
    await closeWorkers();
  });

  it.each([
    ['/', '/index.html'],
    ['/about', '/about/index.html'],
    ['/about/', '/about/index.html'],
    ['/blog/', '/blog/index.html'],
    ['/blog/first-post', '/blog/first-post/index.html'],
    ['/app/', '/app/index.html'],
    ['/app/settings', '/app/index.html'],
    ['/app/edge', '/app/index.html'],
  ])('%s reaches the origin as %s and gets a 200', async (path, originUri) => {
    const r = await throughEdge(origin.url, path);
    expect(r.originUri).toBe(originUri);
    expect(r.status).toBe(200);
  });

  it('legacy URLs redirect first, then land on real pages', async () => {
    const oldPost = await throughEdge(origin.url, '/old-blog/first-post');
    expect(oldPost.redirects).toEqual(['301 http://127.0.0.1:8080/blog/first-post']);
    expect(oldPost.status).toBe(200);
    const docs = await throughEdge(origin.url, '/docs');
    expect(docs.redirects).toEqual(['302 http://127.0.0.1:8080/about/']);
    expect(docs.originUri).toBe('/about/index.html');
    expect(docs.status).toBe(200);
  });

  it('every local link and asset on every page works (except the deliberate 404 example)', async () => {
    const files = await htmlFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(6);
    const checked = new Set<string>();
    for (const file of files) {
      for (const link of localLinks(await readFile(file, 'utf8'))) {
        if (checked.has(link)) continue;
        checked.add(link);
        const r = await throughEdge(origin.url, link);
        expect(r.status, `${relative(root, file)} links to ${link}`).toBe(EXPECTED_404.has(link) ? 404 : 200);
      }
    }
    expect(checked.has('/assets/style.css')).toBe(true);
    expect(checked.has('/assets/app.js')).toBe(true);
  });

  it('pages need nothing the Content-Security-Policy of security-headers.js forbids', async () => {
    for (const file of [...(await htmlFiles(root)), join(root, 'assets', 'logo.svg')]) {
      const text = await readFile(file, 'utf8');
      const where = relative(root, file);
      expect(text, `${where}: inline <script>`).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(text, `${where}: <style> element`).not.toMatch(/<style[\s>]/i);
      expect(text, `${where}: style attribute`).not.toMatch(/\sstyle="/i);
      expect(text, `${where}: inline event handler`).not.toMatch(/\son[a-z]+="/i);
      expect(text, `${where}: off-site resource`).not.toMatch(/\b(?:src|href)="https?:/i);
    }
  });

  it('cache-control.js gives the real origin answers the documented Cache-Control', async () => {
    const cases: [string, string | undefined][] = [
      ['/index.html', 'max-age=60'],
      ['/assets/style.css', 'max-age=86400'],
      ['/assets/app.js', 'max-age=86400'],
      ['/assets/logo.svg', 'max-age=86400'],
      ['/api/time', 'no-store'],
      ['/no-such-page', undefined],
    ];
    for (const [path, expected] of cases) {
      const res = await fetch(`${origin.url}${path}`);
      await res.arrayBuffer();
      const headers: Array<[string, string]> = [];
      res.headers.forEach((value, name) => {
        headers.push([name, value]);
      });
      const out = await invoke({ file: cacheControl, trigger: 'origin-response', uri: path, status: res.status, statusDescription: res.statusText, responseHeaders: headers, defaultResponseHeaders: false });
      expect(out.ok, path).toBe(true);
      expect(headersOf(out.result)['cache-control']?.[0]?.value, path).toBe(expected);
    }
  });
});
