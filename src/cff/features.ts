// What each CloudFront Functions runtime has, as data: the modules it loads, the globals it lacks, the
// methods AWS does not list, the RegExp flags. check.ts walks the code against these tables. Sources:
// AWS CloudFront Developer Guide, "JavaScript runtime 1.0 features" and "JavaScript runtime 2.0
// features" (functions-javascript-runtime-10.html / -20.html), "Restricted features" on the same pages.

import type { CffRuntime } from './limits.js';

/** Modules a function may load, per runtime and loading style (runtime pages, "Built-in modules"). */
export const REQUIRE_OK: Readonly<Record<CffRuntime, ReadonlySet<string>>> = {
  'cloudfront-js-1.0': new Set(['crypto', 'querystring']),
  'cloudfront-js-2.0': new Set(['crypto', 'querystring', 'buffer', 'cloudfront']),
};
/** ES `import` is 2.0 only; AWS documents it for `cloudfront` and `crypto`. */
export const IMPORT_OK: ReadonlySet<string> = new Set(['cloudfront', 'crypto']);
/** Loadable in 2.0 but not documented for this loading style: a warning (docs/decisions.md). */
export const UNDOCUMENTED_LOAD: Readonly<Record<'require' | 'import', ReadonlySet<string>>> = {
  require: new Set(['buffer', 'cloudfront']),
  import: new Set(['querystring', 'buffer']),
};

/**
 * Globals Node has and CloudFront's runtime does not ("Restricted features": timers, process, network,
 * file system; and built-ins neither runtime page lists). Referencing one undeclared is a warning: on
 * CloudFront it is a ReferenceError at run time (503 FunctionExecutionError).
 */
const ABSENT_GLOBALS_BOTH: readonly string[] = [
  'process', 'require', 'module', 'exports', '__dirname', '__filename', 'global',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask',
  'fetch', 'XMLHttpRequest', 'WebSocket', 'Request', 'Response', 'Headers', 'URL', 'URLSearchParams',
  'structuredClone', 'performance', 'navigator', 'crypto', 'Intl', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef',
  'FinalizationRegistry', 'Proxy', 'Reflect', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'WebAssembly',
  'SharedArrayBuffer', 'Atomics', 'AggregateError', 'escape', 'unescape',
];
export const ABSENT_GLOBALS: Readonly<Record<CffRuntime, ReadonlySet<string>>> = {
  'cloudfront-js-1.0': new Set([...ABSENT_GLOBALS_BOTH, 'Buffer', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'DataView']),
  'cloudfront-js-2.0': new Set(ABSENT_GLOBALS_BOTH),
};
// `require` is reported as a module-loading problem instead when it is called.
export const REQUIRE = 'require';

/** Methods AWS lists for the other runtime only, or for neither: `x.name(…)` is a warning. */
const UNLISTED_METHODS_BOTH: readonly string[] = [
  'flat', 'flatMap', 'at', 'fromEntries', 'matchAll', 'findLast', 'findLastIndex', 'toSorted', 'toReversed',
  'toSpliced', 'hasOwn', 'groupBy', 'trimLeft', 'trimRight', 'localeCompare', 'normalize', 'toLocaleString',
];
export const UNLISTED_METHODS: Readonly<Record<CffRuntime, ReadonlySet<string>>> = {
  'cloudfront-js-1.0': new Set([...UNLISTED_METHODS_BOTH, 'replaceAll', 'allSettled', 'any', 'race', 'getOwnPropertyDescriptors']),
  'cloudfront-js-2.0': new Set([...UNLISTED_METHODS_BOTH, 'bytesFrom', 'fromBytes', 'fromUTF8', 'toBytes', 'toUTF8']),
};
export const CONSOLE_OK = 'log';

/** RegExp flags each runtime lists (ES5 `gim`; 2.0 adds `sticky`). */
export const REGEX_FLAGS: Readonly<Record<CffRuntime, string>> = { 'cloudfront-js-1.0': 'gim', 'cloudfront-js-2.0': 'gimy' };

export const OTHER: Readonly<Record<CffRuntime, CffRuntime>> = { 'cloudfront-js-1.0': 'cloudfront-js-2.0', 'cloudfront-js-2.0': 'cloudfront-js-1.0' };
