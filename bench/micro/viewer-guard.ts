// The viewer listener's per-request check (src/viewer/guard.ts): Host, request target and framing,
// on every request before anything runs.

import type { IncomingMessage } from 'node:http';
import { BROWSER_RAW_HEADERS } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type Check = (req: IncomingMessage) => unknown;

/** Just the fields the check reads. */
function request(url: string, raw: readonly string[]): IncomingMessage {
  return { url, rawHeaders: [...raw], httpVersionMajor: 1, httpVersionMinor: 1 } as unknown as IncomingMessage;
}

export const cases: MicroCase[] = [
  {
    name: 'checkViewerRequest: 13 browser header lines (what each request runs)',
    async setup() {
      const check = fnExport<Check>(await importSrc('viewer/guard.js'), 'checkViewerRequest');
      if (typeof check === 'string') return check;
      const ok = request('/images/cat.jpg?size=large', BROWSER_RAW_HEADERS);
      if (check(ok) !== undefined) return 'checkViewerRequest refused a valid browser request';
      if (check(request('/x', [...BROWSER_RAW_HEADERS, 'Host', 'evil.test'])) === undefined) return 'checkViewerRequest let two Host lines through';
      return () => check(ok);
    },
  },
  {
    name: 'checkViewerRequest: the same, a different Host each time (the Host regex runs)',
    async setup() {
      const check = fnExport<Check>(await importSrc('viewer/guard.js'), 'checkViewerRequest');
      if (typeof check === 'string') return check;
      const a = request('/images/cat.jpg?size=large', BROWSER_RAW_HEADERS);
      const b = request('/images/cat.jpg?size=large', BROWSER_RAW_HEADERS.map((v, i) => (i === 1 ? 'www.example.com:8443' : v)));
      if (check(a) !== undefined || check(b) !== undefined) return 'checkViewerRequest refused a valid browser request';
      let flip = false;
      return () => check((flip = !flip) ? a : b);
    },
  },
];
