// A function's memory size (docs/cloudfront-reference.md §3.7): what bounds its worker's heap, and what
// REPORT says it used.

export const MIB = 1024 * 1024;

/**
 * V8 heap limits for a function's memory size. The young generation gets what V8 itself would give a
 * heap of that size (3 semi-spaces of 1/128, at most 16 MB each), the old generation the rest, so the
 * worker's whole heap is bounded by memorySize (docs/runtime.md).
 */
export function heapLimits(memorySize: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  const young = Math.min(48, Math.max(1, Math.round((memorySize * 3) / 128)));
  return { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: Math.max(1, memorySize - young) };
}

/** REPORT's `Max Memory Used`: the worker's high-water mark in whole MB, at least 1, at most the memory size. */
export function maxMemoryUsedMb(memBytes: number, memorySizeMb: number): number {
  return Math.min(memorySizeMb, Math.max(1, Math.ceil(memBytes / MIB)));
}
