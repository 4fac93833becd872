// Header conversion (docs/cloudfront-reference.md §1.2): Node's rawHeaders ⇄ CloudFront's header map, both directions per hook.

import type { CfHeaders } from '../../src/event/types.js';
import { BROWSER_RAW_HEADERS } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type RawToCf = (raw: readonly string[]) => CfHeaders;
type CfToRaw = (h: CfHeaders) => string[];
type ViewerFromRaw = (raw: readonly string[]) => { headers: CfHeaders; overrides: Record<string, string> };

export const cases: MicroCase[] = [
  {
    name: 'rawToCfHeaders: 13 browser header lines',
    async setup() {
      const toCf = fnExport<RawToCf>(await importSrc('event/headers.js'), 'rawToCfHeaders');
      if (typeof toCf === 'string') return toCf;
      if (toCf(BROWSER_RAW_HEADERS).cookie?.length !== 2) return 'rawToCfHeaders did not keep the two Cookie lines';
      return () => toCf(BROWSER_RAW_HEADERS);
    },
  },
  {
    name: 'viewerHeadersFromRaw: 13 lines (what each request runs)',
    async setup() {
      const fromRaw = fnExport<ViewerFromRaw>(await importSrc('event/viewer-headers.js'), 'viewerHeadersFromRaw');
      if (typeof fromRaw === 'string') return fromRaw;
      if (fromRaw(BROWSER_RAW_HEADERS).headers.cookie?.length !== 2) return 'viewerHeadersFromRaw did not keep the two Cookie lines';
      return () => fromRaw(BROWSER_RAW_HEADERS);
    },
  },
  {
    name: 'cfHeadersToRaw: 13 header lines',
    async setup() {
      const mod = await importSrc('event/headers.js');
      const toCf = fnExport<RawToCf>(mod, 'rawToCfHeaders');
      const toRaw = fnExport<CfToRaw>(mod, 'cfHeadersToRaw');
      if (typeof toCf === 'string') return toCf;
      if (typeof toRaw === 'string') return toRaw;
      const h = toCf(BROWSER_RAW_HEADERS);
      if (toRaw(h).length !== BROWSER_RAW_HEADERS.length) return 'cfHeadersToRaw lost header lines';
      return () => toRaw(h);
    },
  },
];
