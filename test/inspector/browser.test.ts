// The inspector page in a real browser: Debian's headless Chromium driven by playwright-core, against
// the real proxy, origin and workers. It loads the page, sees a request appear without reloading,
// opens it, finds the header the viewer-request function added highlighted in the diff, replays it
// and sees the new exchange, and downloads the HAR and parses it. It also takes the screenshots of
// docs/inspector.md. A missing browser fails this test: .ci/run installs Chromium.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/inspector/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
/**
 * docs/inspector.md's screenshots are taken on every run; they replace the committed ones only with
 * UPDATE_SCREENSHOTS=1 (or when one is missing), so a test run leaves the working tree as it was.
 */
const SHOTS = ['inspector-list.png', 'inspector-detail.png', 'inspector-diff.png'];
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1' || SHOTS.some((f) => !existsSync(path.join(DOCS, f)));
const CHROMIUM = process.env.EDGEPROXY_CHROMIUM ?? '/usr/bin/chromium';

describe('the inspector page in headless Chromium', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let shots: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
    origin = await startOrigin((req, res) => {
      const body = `<h1>page ${req.url ?? ''}</h1>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=60' });
      res.end(body);
    });
    proxy = await startProxy(
      {
        origins: [{ id: 'o', url: origin.url }],
        functions: [
          { id: 'add-header', file: 'fns.mjs', export: 'viewerRequest' },
          { id: 'security-headers', file: 'fns.mjs', export: 'viewerResponse' },
        ],
        behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'add-header', 'viewer-response': 'security-headers' } }],
        admin: { port: 0 },
        inspector: { capture: true },
      },
      FIXTURES,
    );
    profile = mkdtempSync(path.join(tmpdir(), 'edgeproxy-chromium-'));
    shots = UPDATE ? DOCS : mkdtempSync(path.join(tmpdir(), 'edgeproxy-shots-'));
    // A fresh profile (--user-data-dir) per run: playwright passes it for a persistent context.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 20_000,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await origin?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    if (shots !== undefined && shots !== DOCS) rmSync(shots, { recursive: true, force: true });
  });

  it('live list, detail with the diff highlighted, replay, HAR download', async () => {
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(`page error: ${e.message}`));
    await page.goto(proxy.inspectorUrl as string);
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    expect(await page.locator('#list tbody tr').count()).toBe(0);

    // A request made now appears without a reload.
    const r = await send(proxy.url, '/blog/hello?ref=docs', { headers: ['User-Agent', 'Mozilla/5.0 (inspector test)', 'Accept', 'text/html'] });
    expect(r.status).toBe(200);
    await send(proxy.url, '/blog/hello?ref=docs', { headers: ['User-Agent', 'Mozilla/5.0 (inspector test)', 'Accept', 'text/html'] });
    await send(proxy.url, '/generated');
    await send(proxy.url, '/invalid');
    const row = page.locator('#list tbody tr', { hasText: '/blog/hello?ref=docs' }).last();
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('#list tbody tr').count(), { timeout: 10_000 }).toBe(4);
    await expect.poll(() => page.locator('#list tbody tr', { hasText: 'LambdaValidationError' }).count()).toBe(1);
    // The new-row highlight fades in 1.2 s: the screenshot shows the list as it stays.
    await page.waitForTimeout(1300);
    await page.screenshot({ path: path.join(shots, 'inspector-list.png') });

    // Open it: the viewer-request function's header is marked as added, in the changes and in the result JSON.
    await row.click();
    const card = page.locator('.card[data-trigger="viewer-request"]');
    await card.waitFor({ timeout: 10_000 });
    const added = card.locator('table.changes tr.diff-added[data-header="x-inspected"]');
    await expect.poll(() => added.count()).toBe(1);
    expect(await added.textContent()).toContain('yes');
    const inJson = card.locator('pre span.diff-added', { hasText: '"x-inspected"' });
    expect(await inJson.count()).toBeGreaterThan(0);
    // The event as received has no such header.
    expect(await card.locator('pre').first().textContent()).not.toContain('x-inspected');
    expect(await page.locator('#detail').textContent()).toContain('Miss');
    await page.screenshot({ path: path.join(shots, 'inspector-detail.png') });

    // Copy as curl: the command on the clipboard re-sends the same request.
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(proxy.inspectorUrl as string).origin });
    await page.locator('#curl').click();
    await page.locator('.toast', { hasText: 'curl command copied' }).waitFor({ timeout: 5_000 });
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toMatch(/^curl -i 'http:\/\/127\.0\.0\.1:\d+\/blog\/hello\?ref=docs' /);
    expect(curl).toContain("-H 'User-Agent: Mozilla/5.0 (inspector test)'");
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'inspector-diff.png') });

    // Replay: a new exchange appears and is opened.
    await page.locator('#replay').click();
    await expect.poll(() => page.locator('#list tbody tr').count(), { timeout: 10_000 }).toBe(5);
    await page.locator('#detail .hint', { hasText: 'Replay of' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#list tbody tr').first().textContent()).toContain('replay');

    // Export HAR: a download the devtools can open.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.locator('#har').click()]);
    const file = await download.path();
    const har = JSON.parse(readFileSync(file, 'utf8')) as { log: { version: string; entries: Array<{ request: { url: string }; _edgeproxy: { replayOf?: string; functionRuns: unknown[] } }> } };
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries).toHaveLength(5);
    expect(har.log.entries[0]?.request.url).toMatch(/\/blog\/hello\?ref=docs$/);
    expect(har.log.entries.filter((e) => e._edgeproxy.replayOf !== undefined)).toHaveLength(1);
    // Nothing the page loaded came from anywhere but the admin listener.
    expect(failed).toEqual([]);
    // The screenshots are real PNGs of a laptop-sized window.
    for (const f of SHOTS) {
      const png = readFileSync(path.join(shots, f));
      expect(png.subarray(1, 4).toString('latin1'), f).toBe('PNG');
      expect(png.readUInt32BE(16), `${f} width`).toBe(1440);
    }
  }, 60_000);
});
