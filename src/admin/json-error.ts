// Where a JSON text goes wrong. V8's JSON.parse messages name a position only for some errors
// ("Unexpected token '}', ... is not valid JSON" does not), and the admin listener promises the parse
// position for every invalid body. Only called after JSON.parse has failed: never on a good request.

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';
const HEX = /^[0-9a-fA-F]$/;

/**
 * Offset (UTF-16 index) of the first character that makes `s` invalid JSON (RFC 8259), `s.length`
 * when the input ends early, or -1 when `s` is valid. Iterative, so deep nesting cannot overflow.
 */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const stack: Array<'{' | '['> = [];
  let mode: 'value' | 'key' | 'after' = 'value';
  const ws = (): void => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const next = s[i + 1];
        if (next === undefined) {
          i++;
          return false;
        }
        if (ESCAPES.includes(next)) i += 2;
        else if (next === 'u') {
          i += 2;
          for (let k = 0; k < 4; k++, i++) if (!HEX.test(s[i] ?? '')) return false;
        } else {
          i++;
          return false;
        }
      } else i++;
    }
    return false; // unterminated: i === s.length
  };

  for (;;) {
    ws();
    if (mode === 'value') {
      const c = s[i];
      if (c === '{' || c === '[') {
        i++;
        ws();
        if (s[i] === (c === '{' ? '}' : ']')) {
          i++;
          mode = 'after';
        } else {
          stack.push(c);
          mode = c === '{' ? 'key' : 'value';
        }
      } else if (c === '"') {
        if (!string()) return i;
        mode = 'after';
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(s);
        if (m === null) return i + 1; // a lone '-'
        i += m[0].length;
        mode = 'after';
      } else {
        const lit = s.startsWith('true', i) ? 4 : s.startsWith('false', i) ? 5 : s.startsWith('null', i) ? 4 : 0;
        if (lit === 0) return i;
        i += lit;
        mode = 'after';
      }
    } else if (mode === 'key') {
      if (s[i] !== '"' || !string()) return i;
      ws();
      if (s[i] !== ':') return i;
      i++;
      mode = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < s.length ? i : -1;
      if (s[i] === ',') {
        i++;
        mode = top === '{' ? 'key' : 'value';
      } else if (s[i] === (top === '{' ? '}' : ']')) {
        i++;
        stack.pop();
      } else return i;
    }
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(s: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = s.indexOf('\n'); k !== -1 && k < offset; k = s.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: offset - start + 1 };
}

/** One line for a body JSON.parse rejected: where, and what is there. */
export function describeJsonError(s: string): string {
  const at = jsonErrorOffset(s);
  if (at === -1) return 'invalid JSON';
  const { line, column } = lineColumn(s, at);
  const where = `position ${at} (line ${line}, column ${column})`;
  if (at >= s.length) return `invalid JSON: unexpected end of input at ${where}`;
  return `invalid JSON at ${where}: unexpected ${JSON.stringify(String.fromCodePoint(s.codePointAt(at) ?? 0))}`;
}
