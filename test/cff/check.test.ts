import { describe, expect, it } from 'vitest';
import { checkCff, formatFinding, type CheckResult } from '../../src/cff/check.js';
import { CODE_SIZE_LIMIT } from '../../src/cff/limits.js';

const V1 = 'cloudfront-js-1.0' as const;
const V2 = 'cloudfront-js-2.0' as const;

function errors(r: CheckResult): Array<[string, number, number]> {
  return r.findings.filter((f) => f.severity === 'error').map((f) => [f.feature, f.line, f.column]);
}
function warnings(r: CheckResult): string[] {
  return r.findings.filter((f) => f.severity === 'warning').map((f) => f.feature);
}

const PLAIN = 'function handler(event) {\n  var r = event.request;\n  r.headers["x-a"] = { value: `${r.uri}` };\n  return r;\n}\n';

describe('CloudFront Functions feature check', () => {
  it('accepts ES5.1 plus the listed extras in both runtimes: template literals, arrows, rest parameters, **, labels', () => {
    const code = `function handler(event) {
  var f = (a, ...rest) => a ** 2 + rest.length;
  outer: for (var i = 0; i < 2; i++) { continue outer; }
  return event.request;
}`;
    for (const rt of [V1, V2]) {
      const r = checkCff(code, rt);
      expect(r.ok).toBe(true);
      expect(r.findings).toEqual([]);
    }
    expect(checkCff(PLAIN, V1).ok).toBe(true);
  });

  it('rejects let/const, async/await and numeric separators in 1.0 with their line and column, and accepts them in 2.0', () => {
    const code = 'var a = 1_000;\nfunction x() {\n  let b = 1;\n  const c = 2;\n}\nasync function handler(event) {\n  await 1;\n  return event.request;\n}\n';
    const r1 = checkCff(code, V1);
    expect(r1.ok).toBe(false);
    expect(errors(r1)).toEqual([
      ['numeric-separator', 1, 9],
      ['let', 3, 3],
      ['const', 4, 3],
      ['async-function', 6, 1],
      ['await', 7, 3],
    ]);
    expect(r1.findings[1]?.message).toContain('(available in cloudfront-js-2.0)');
    const r2 = checkCff(code, V2);
    expect(r2.ok).toBe(true);
    expect(r2.asyncHandler).toBe(true);
  });

  it('names the file, line, column and feature in each formatted finding', () => {
    const r = checkCff('function handler(e) {\n  let x = 1;\n  return e.request;\n}', V1);
    expect(formatFinding('functions/rewrite.js', r.findings[0]!)).toBe(
      "functions/rewrite.js:2:3: error [let]: cloudfront-js-1.0 does not support 'let' declarations (use var) (available in cloudfront-js-2.0)",
    );
  });

  it('rejects modules the runtime has not, for require and import alike', () => {
    const r1 = checkCff("var fs = require('fs');\nvar c = require('crypto');\nvar q = require('querystring');\nfunction handler(e) { return e.request }", V1);
    expect(errors(r1)).toEqual([['module:fs', 1, 18]]);
    expect(r1.findings[0]?.message).toMatch(/'crypto' and 'querystring'/);

    const r1i = checkCff("import crypto from 'crypto';\nfunction handler(e) { return e.request }", V1);
    expect(errors(r1i)).toEqual([['import', 1, 1]]);

    const r2 = checkCff("import cf from 'cloudfront';\nimport { createHash } from 'crypto';\nimport http from 'http';\nfunction handler(e) { return e.request }", V2);
    expect(errors(r2)).toEqual([['module:http', 3, 18]]);
    // cloudfront is 2.0 only
    expect(errors(checkCff("var cf = require('cloudfront');\nfunction handler(e) { return e.request }", V1))).toEqual([['module:cloudfront', 1, 18]]);
    expect(errors(checkCff('var m = require(name);\nfunction handler(e) { return e.request }', V2))).toEqual([['require', 1, 9]]);
    expect(errors(checkCff("function handler(e) { return import('x') }", V2))).toEqual([['dynamic-import', 1, 30]]);
  });

  it('rejects exports, top-level await and a missing handler', () => {
    expect(errors(checkCff('export function handler(e) { return e.request }', V2))).toEqual([['export', 1, 1]]);
    expect(errors(checkCff("await 1;\nfunction handler(e) { return e.request }", V2))).toEqual([['top-level-await', 1, 1]]);
    const r = checkCff('function handle(e) { return e.request }', V2);
    expect(errors(r)).toEqual([['handler', 0, 0]]);
    expect(formatFinding('f.js', r.findings[0]!)).toMatch(/^f\.js: error \[handler\]: no top-level function named 'handler'/);
    // `var handler = function …` and an arrow are handlers too
    expect(checkCff('var handler = function (e) { return e.request };', V1).ok).toBe(true);
    expect(checkCff('const handler = async (e) => e.request;', V2).ok).toBe(true);
  });

  it('reports a syntax error with its position; strict mode holds (with, octal literals)', () => {
    const r = checkCff('function handler(e) {\n  return e.request\n', V2);
    expect(errors(r)).toEqual([['syntax', 3, 1]]);
    expect(r.script).toBeUndefined();
    expect(errors(checkCff('function handler(e) { with (e) {} return e.request }', V1))[0]?.[0]).toBe('syntax');
    expect(errors(checkCff('function handler(e) { var x = 010; return e.request }', V1))[0]?.[0]).toBe('syntax');
  });

  it('refuses code over 10 KB (FunctionSizeLimitExceeded), counting UTF-8 bytes', () => {
    const filler = `// ${'é'.repeat((CODE_SIZE_LIMIT - PLAIN.length) / 2)}\n`;
    const r = checkCff(PLAIN + filler, V2);
    expect(Buffer.byteLength(PLAIN + filler)).toBeGreaterThan(CODE_SIZE_LIMIT);
    expect(errors(r)).toEqual([['size', 0, 0]]);
    expect(r.findings[0]?.message).toMatch(/10 KB \(10,240 bytes\) \(FunctionSizeLimitExceeded\)/);
    const justUnder = PLAIN + `// ${'a'.repeat(CODE_SIZE_LIMIT - PLAIN.length - 4)}\n`;
    expect(Buffer.byteLength(justUnder)).toBe(CODE_SIZE_LIMIT);
    expect(checkCff(justUnder, V2).ok).toBe(true);
  });

  it('warns about syntax neither runtime page lists, and strict turns the warnings into errors', () => {
    const code = `function handler(event) {
  var { request } = event;
  var o = { ...request, uri: request.uri ?? '/' };
  var x = request?.headers;
  for (var k of [1]) {}
  class A {}
  function d(a = 1) { return a; }
  return request;
}`;
    const r = checkCff(code, V2);
    expect(r.ok).toBe(true);
    expect(warnings(r)).toEqual(['destructuring', 'spread', 'nullish-coalescing', 'optional-chaining', 'for-of', 'class', 'default-parameter']);
    const strict = checkCff(code, V2, { strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.findings.every((f) => f.severity === 'error')).toBe(true);
  });

  it('warns about Node globals and built-ins the runtime lacks, unless the code declares them', () => {
    const code = `function handler(event) {
  setTimeout(function () {}, 1);
  var m = new Map();
  console.error('x');
  console.log('a', 'b');
  [1].flat();
  'a'.replaceAll('a', 'b');
  return event.request;
}`;
    expect(warnings(checkCff(code, V1))).toEqual(['global:setTimeout', 'global:Map', 'console.error', 'console.log-arguments', 'method:flat', 'method:replaceAll']);
    // replaceAll is listed for 2.0; Buffer exists only in 2.0
    expect(warnings(checkCff(code, V2))).not.toContain('method:replaceAll');
    expect(warnings(checkCff('function handler(e) { return Buffer.from("a") }', V1))).toEqual(['global:Buffer']);
    expect(warnings(checkCff('function handler(e) { return Buffer.from("a") }', V2))).toEqual([]);
    expect(warnings(checkCff('var Map = 1;\nfunction handler(e) { return Map }', V2))).toEqual([]);
    // 1.0's byte-string methods are gone in 2.0
    expect(warnings(checkCff('function handler(e) { return "a".toUTF8() }', V2))).toEqual(['method:toUTF8']);
    expect(warnings(checkCff('function handler(e) { return "a".toUTF8() }', V1))).toEqual([]);
  });

  it("warns about 2.0's documented async limits: await in call arguments, async functions as arguments", () => {
    const code = "import cf from 'cloudfront';\nasync function handler(e) {\n  var n = parseFloat(await cf.kvs().get('k'));\n  [1].map(async (x) => x);\n  return e.request;\n}";
    const r = checkCff(code, V2);
    expect(r.ok).toBe(true);
    expect(r.findings.map((f) => [f.feature, f.line, f.column])).toEqual([
      ['await-in-arguments', 3, 22],
      ['async-argument', 4, 11],
    ]);
  });

  it('rewrites imports into module lookups without moving any later line', () => {
    const code = "import cf from 'cloudfront';\nimport { createHash as h } from 'crypto';\nfunction handler(e) { return e.request }\n";
    const r = checkCff(code, V2);
    expect(r.script?.split('\n')).toEqual([
      'const cf = __cffImport("cloudfront", "default");',
      'const h = __cffImport("crypto", "createHash");',
      'function handler(e) { return e.request }',
      '',
    ]);
  });
});
