// The JSON error locator agrees with JSON.parse on what is valid, and points at the right character.
import { describe, expect, it } from 'vitest';
import { describeJsonError, jsonErrorOffset, lineColumn } from '../../src/admin/json-error.js';

describe('jsonErrorOffset', () => {
  it.each([
    ['{"paths": }', 10],
    ['{"a":1', 6],
    ['[1,]', 3],
    ['{"a":1}x', 7],
    ['{a:1}', 1],
    ['{"a" 1}', 5],
    ['"abc', 4],
    ['"a\\qb"', 3],
    ['"\\u12G4"', 5],
    ['"\\u12', 5],
    ['01', 1],
    ['-', 1],
    ['1.', 1],
    ['tru', 0],
    ['[nul]', 1],
    ['"tab\there"', 4],
    ['\uFEFF{}', 0],
    ['', 0],
    ['[[[[', 4],
  ])('%j → %i', (s, at) => {
    expect(() => JSON.parse(s)).toThrow();
    expect(jsonErrorOffset(s)).toBe(at);
  });

  it.each(['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "x\\n\\u00e9"]} ', '"x"', '0', '[{"a":{}}]'])('%j is valid', (s) => {
    expect(jsonErrorOffset(s)).toBe(-1);
  });

  it('agrees with JSON.parse on a bounded set of mutated documents', () => {
    const base = '{"InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/a*", "/b\\u0041"]}, "CallerReference": "r-1.5e3"}}';
    const alphabet = '{}[]":,\\ 0-.eEtfnu1a';
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const at = rand(base.length);
      const c = alphabet[rand(alphabet.length)] ?? '';
      const op = rand(3);
      const s = op === 0 ? base.slice(0, at) + base.slice(at + 1) : op === 1 ? base.slice(0, at) + c + base.slice(at) : base.slice(0, at) + c + base.slice(at + 1);
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(s) === -1, s).toBe(valid);
    }
  });

  it('deep nesting does not overflow the stack', () => {
    expect(jsonErrorOffset('['.repeat(200_000))).toBe(200_000);
  });
});

describe('describeJsonError', () => {
  it('names position, line and column', () => {
    expect(lineColumn('a\nbc\nd', 4)).toEqual({ line: 2, column: 3 });
    expect(describeJsonError('{\n  "a": x\n}')).toBe('invalid JSON at position 9 (line 2, column 8): unexpected "x"');
    expect(describeJsonError('[1')).toBe('invalid JSON: unexpected end of input at position 2 (line 1, column 3)');
  });
});
