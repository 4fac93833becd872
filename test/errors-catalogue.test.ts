// The error catalogues (one per place errors come from: the viewer listener, the admin listener,
// the Lambda API listener, configuration and the command line) against their documentation, both ways, as fastify's
// test/internals/errors.test.js does — and against the tests: a code no test ever sees produced is a
// code nobody knows still works.
//
// "Seen produced" is checked by reading the tests: the code must appear inside an `expect(…)` call
// (the whole chain, e.g. `expect(r.headers['x-cache']).toBe('…')` or
// `expect(lines[0]).toContain('OriginDnsError')`) in a test file where that catalogue's errors are
// produced. Codes two catalogues share (RequestTooLarge, MethodNotAllowed, InternalError, BadRequest)
// count only in their own listener's tests. This file and test/errors.test.ts, which build errors by
// hand, never count.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ADMIN_ERRORS } from '../src/admin/errors.js';
import { CONFIG_ERRORS } from '../src/config/errors.js';
import { ERRORS } from '../src/errors.js';
import { LAMBDA_ERRORS } from '../src/lambda/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST_DIR = path.join(ROOT, 'test');
const SELF = new Set(['errors-catalogue.test.ts', 'errors.test.ts']);

interface Catalogue {
  name: string;
  table: string;
  /** code → the cells its documentation row must hold, in column order after the code. */
  rows: ReadonlyMap<string, readonly string[]>;
  doc: string;
  /** The `## ` heading of the section that documents this catalogue. */
  section: string;
  /** Test files (relative to test/, with `/`) in which this catalogue's codes are produced. */
  producedIn(file: string): boolean;
}

const isAdminTest = (f: string): boolean => f.startsWith('admin/') || f === 'e2e/admin.test.ts';

const CATALOGUES: readonly Catalogue[] = [
  {
    name: 'viewer',
    table: 'src/errors.ts',
    rows: new Map(Object.entries(ERRORS).map(([code, e]) => [code, [String(e.status), `\`${e.xCache}\``, `\`${e.kind}\``, e.staleOnError ? 'yes' : 'no']])),
    doc: 'docs/errors.md',
    section: '## Viewer responses',
    // Where the pipeline, the origin client, the viewer listener and the result validator run for
    // real (observe/ tests build EdgeErrors by hand to check how they are logged).
    producedIn: (f) => !isAdminTest(f) && ['e2e/', 'pipeline/', 'origin/', 'event/', 'robustness/'].some((d) => f.startsWith(d)),
  },
  {
    name: 'admin',
    table: 'src/admin/errors.ts',
    rows: new Map(Object.entries(ADMIN_ERRORS).map(([code, e]) => [code, [String(e.status), `\`${e.kind}\``]])),
    doc: 'docs/admin.md',
    section: '## Error codes',
    producedIn: isAdminTest,
  },
  {
    name: 'config',
    table: 'src/config/errors.ts',
    rows: new Map(Object.entries(CONFIG_ERRORS).map(([code, e]) => [code, [String(e.exitCode), `\`${e.kind}\``]])),
    doc: 'docs/errors.md',
    section: '## Configuration and command-line errors',
    // Configuration codes are unique to their catalogue: any test may produce them.
    producedIn: () => true,
  },
  {
    name: 'lambda',
    table: 'src/lambda/errors.ts',
    rows: new Map(Object.entries(LAMBDA_ERRORS).map(([code, e]) => [code, [String(e.status), `\`${e.type}\``]])),
    doc: 'docs/lambda-api.md',
    section: '## Error codes',
    // The Lambda API listener's tests, which drive it with the real SDK.
    producedIn: (f) => f.startsWith('lambda/'),
  },
];

/** The rows of the markdown table in `section` of `doc`: code → the cells after the code. */
function documentedRows(doc: string, section: string): Map<string, string[]> {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');
  const lines = text.split('\n');
  const start = lines.indexOf(section);
  if (start === -1) throw new Error(`${doc} has no section "${section}"`);
  const rows = new Map<string, string[]>();
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('## ')) break;
    const m = /^\| `([A-Za-z]+)` \|(.*)\|\s*$/.exec(line);
    if (m === null) continue;
    const code = m[1] ?? '';
    if (rows.has(code)) throw new Error(`${doc}: ${code} is documented twice in "${section}"`);
    rows.set(code, (m[2] ?? '').split(' | ').map((c) => c.trim()));
  }
  return rows;
}

function testFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures') out.push(...testFiles(path.join(dir, entry.name), r));
    } else if (entry.name.endsWith('.ts') && !SELF.has(r)) out.push(r);
  }
  return out;
}

/** The identifier a call chain starts from: `expect` for `expect(a).not.toBe(b)`. */
function chainRoot(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (ts.isCallExpression(cur) || ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur) || ts.isNonNullExpression(cur)) {
      cur = cur.expression;
    } else if (ts.isAwaitExpression(cur) || ts.isParenthesizedExpression(cur)) {
      cur = cur.expression;
    } else return cur;
  }
}

/** The source text of every outermost `expect(…)…` call chain in the file. */
function assertionTexts(file: string): string[] {
  const text = readFileSync(path.join(TEST_DIR, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const root = chainRoot(node);
      if (ts.isIdentifier(root) && root.text === 'expect') {
        out.push(node.getText(sf));
        return; // the chain's inner calls are inside this text
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const FILES = testFiles(TEST_DIR);
const ASSERTIONS = new Map(FILES.map((f) => [f, assertionTexts(f)]));

describe('error catalogues', () => {
  it('the assertion reader finds assertions (it would otherwise pass nothing)', () => {
    const all = [...ASSERTIONS.values()].flat();
    expect(all.length).toBeGreaterThan(500);
    expect(all.some((a) => a.includes("toBe('LambdaValidationError from cloudfront')"))).toBe(true);
  });

  for (const cat of CATALOGUES) {
    describe(`${cat.name} (${cat.table})`, () => {
      const documented = documentedRows(cat.doc, cat.section);

      it(`every code is documented in ${cat.doc}, and every documented code is in the table`, () => {
        const undocumented = [...cat.rows.keys()].filter((c) => !documented.has(c));
        const unknown = [...documented.keys()].filter((c) => !cat.rows.has(c));
        expect(undocumented, `in ${cat.table} but not in ${cat.doc} "${cat.section}"`).toEqual([]);
        expect(unknown, `in ${cat.doc} "${cat.section}" but not in ${cat.table}`).toEqual([]);
      });

      for (const [code, cells] of cat.rows) {
        it(`${code}: its documentation row has the table's values (${cells.join(', ')})`, () => {
          const row = documented.get(code);
          expect(row, `${cat.doc} has no row for ${code}`).toBeDefined();
          expect(row?.slice(0, cells.length)).toEqual([...cells]);
        });

        it(`${code} is produced and asserted by some test`, () => {
          const word = new RegExp(`\\b${code}\\b`);
          const where = FILES.filter((f) => cat.producedIn(f) && (ASSERTIONS.get(f) ?? []).some((a) => word.test(a)));
          expect(where, `no expect(…) in the ${cat.name} tests mentions ${code}: add a test that produces it`).not.toEqual([]);
        });
      }
    });
  }
});
