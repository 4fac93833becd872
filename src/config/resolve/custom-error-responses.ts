// customErrorResponses in the config → the frozen table the pipeline uses (docs/cloudfront-reference.md §12).
// Checks CloudFront's own rules: supported codes only, one entry per code, ResponseCode only with a page path.

import {
  CUSTOM_ERROR_CODES,
  CUSTOM_RESPONSE_CODES,
  MAX_RESPONSE_PAGE_PATH,
  type CustomErrorResponse,
} from '../../distribution/custom-error-responses.js';
import type { Problems } from '../problems.js';
import type { PathSegment } from '../problems.js';

interface CustomErrorInput {
  errorCode: number;
  responsePagePath?: string | undefined;
  responseCode?: number | undefined;
  errorCachingMinTTL?: number | undefined;
}

export function resolveCustomErrorResponses(input: readonly CustomErrorInput[] | undefined, problems: Pick<Problems, 'add'>): Map<number, CustomErrorResponse> {
  const out = new Map<number, CustomErrorResponse>();
  (input ?? []).forEach((c, i) => {
    const at: PathSegment[] = ['customErrorResponses', i];
    let ok = true;
    const bad = (field: string, msg: string): void => {
      problems.add([...at, field], msg);
      ok = false;
    };
    if (!CUSTOM_ERROR_CODES.includes(c.errorCode)) bad('errorCode', `CloudFront has custom error responses only for ${CUSTOM_ERROR_CODES.join(', ')}; got ${c.errorCode}`);
    else if (out.has(c.errorCode)) bad('errorCode', `duplicate errorCode ${c.errorCode} (one custom error response per code)`);
    const p = c.responsePagePath;
    if (p !== undefined) {
      if (!p.startsWith('/')) bad('responsePagePath', `must start with "/", like "/errors/404.html"; got ${JSON.stringify(p)}`);
      else if (p.length > MAX_RESPONSE_PAGE_PATH) bad('responsePagePath', `must be at most ${MAX_RESPONSE_PAGE_PATH} characters, got ${p.length}`);
      else if (p.includes('?') || p.includes('#')) bad('responsePagePath', 'must be a path only, without a query string or fragment');
    }
    if (c.responseCode !== undefined) {
      if (p === undefined) bad('responseCode', 'needs responsePagePath: CloudFront changes the status only together with a custom error page');
      else if (!CUSTOM_RESPONSE_CODES.includes(c.responseCode)) bad('responseCode', `must be one of ${CUSTOM_RESPONSE_CODES.join(', ')}; got ${c.responseCode}`);
    }
    if (ok) {
      out.set(c.errorCode, {
        errorCode: c.errorCode,
        responsePagePath: p,
        responseCode: c.responseCode,
        errorCachingMinTTL: c.errorCachingMinTTL,
      });
    }
  });
  return out;
}
