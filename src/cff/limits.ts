// CloudFront Functions' runtime versions and fixed limits, in one place. Sources: AWS CloudFront
// Developer Guide, "Quotas on CloudFront Functions" (cloudfront-limits.html), "JavaScript runtime
// features" (functions-javascript-runtime-10.html / -20.html) and "Helper methods for key value stores".

import type { CffRuntime } from '../runtime/cff-protocol.js';

export { LOG_LIMIT_BYTES, type CffRuntime } from '../runtime/cff-protocol.js';

export function isCffRuntime(v: unknown): v is CffRuntime {
  return v === 'cloudfront-js-1.0' || v === 'cloudfront-js-2.0';
}

/** Maximum function code size, bytes of UTF-8 (quota "Maximum size of a function": 10 KB, not adjustable). */
export const CODE_SIZE_LIMIT = 10 * 1024;

/** KeyValueStore quotas: key 512 bytes, value 1 KB, whole store 5 MB; one store per function. */
export const KVS_KEY_MAX_BYTES = 512;
export const KVS_VALUE_MAX_BYTES = 1024;
export const KVS_STORE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * A generated or replaced body has no documented limit for CloudFront Functions; edgeproxy applies
 * Lambda@Edge's viewer-side 40 KB (see docs/decisions.md, CloudFront Functions).
 */
export const DEFAULT_BODY_LIMIT_BYTES = 40 * 1024;

/**
 * Compute utilization is a run's time as a percentage of an undisclosed maximum ("sub-millisecond");
 * edgeproxy's model is 1 ms = 100 (docs/decisions.md, CloudFront Functions).
 */
export const DEFAULT_COMPUTE_BUDGET_MS = 1;

/** ComputeUtilization as CloudFront reports it: an integer 0–100. */
export function computeUtilization(runMs: number, budgetMs: number): number {
  if (!(runMs > 0)) return 0;
  return Math.min(100, Math.round((100 * runMs) / budgetMs));
}
