// Citations in src/ and test/ must resolve inside the repository or on the public web. Every
// `docs/cloudfront-reference.md §N` names a section that the reference has. Nothing points at a file outside
// the repository, at a section of a document the repository does not hold, or at a tracker issue.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const REFERENCE = 'docs/cloudfront-reference.md';
const SOURCE_EXT = /\.(?:[cm]?ts|[cm]?js)$/;

/** Section numbers of the reference: every heading that starts with `§N` (`## §6`, `### §6.5 …`). */
function referenceSections(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} §(\d+(?:\.\d+)*)(?=[\s*]|$)/gm)) found.add(m[1] ?? '');
  return found;
}

interface Citation {
  file: string;
  line: number;
  section: string;
}

// The reference's name, then one or more `§N` joined by ", ", "; ", "/", "–", "-", "and", "or":
// `docs/cloudfront-reference.md §6.6–§6.8`, `… §6.2, §6.3; §0`. A chain ends at anything else, so
// `… §3.4 and RFC 9110 §7.6.1` yields §3.4 only.
const CITATION = /(?:docs\/)?cloudfront-reference\.md((?:\s*(?:[,;/–-]|\band\b|\bor\b)?\s*§\d+(?:\.\d+)*)+)/g;
const SECTION = /§(\d+(?:\.\d+)*)/g;

/** Every section of the reference that `text` cites, with its line. */
function citations(file: string, text: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITATION)) {
    const line = text.slice(0, m.index).split('\n').length;
    for (const s of (m[1] ?? '').matchAll(SECTION)) out.push({ file, line, section: s[1] ?? '' });
  }
  return out;
}

/**
 * Citations that cannot resolve for someone who has only the repository: paths outside it, a "spec"
 * section without a document name, the research notes by file name, tracker issues.
 */
const OUTSIDE: readonly { what: string; re: RegExp }[] = [
  { what: 'a path outside the repository', re: /(?:\.\.\/)+shared\b|\/work\/(?:shared|main|wt)\b|\bshared\/spec\b/ },
  { what: 'a section of "the spec" (cite docs/cloudfront-reference.md §N)', re: /\bspec\s+§/ },
  { what: 'a research note outside the repository', re: /(?<!docs\/)\b(?:lambda-edge|cloudfront-functions|lambda-invoke-api)\.md\b/ },
  { what: 'a tracker issue', re: /\bissues?\s+#?\d+/i },
];

interface Finding {
  file: string;
  line: number;
  what: string;
  text: string;
}

function outsideCitations(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((l, i) => {
    for (const { what, re } of OUTSIDE) if (re.test(l)) out.push({ file, line: i + 1, what, text: l.trim() });
  });
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...sourceFiles(rel));
    } else if (SOURCE_EXT.test(e.name) && rel !== SELF) out.push(rel);
  }
  return out;
}

const sections = referenceSections(readFileSync(join(ROOT, REFERENCE), 'utf8'));
const files = [...sourceFiles('src'), ...sourceFiles('test')].map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))]
  .filter((file) => file !== REFERENCE)
  .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

// In docs a bare `§N` is a section of the reference (decisions.md says so); sections of RFCs are
// written `RFC 9111 §4.2.3` or `RFC 9111 §5.2.2.4/§5.2.2.7` and are left out first.
const RFC_CHAIN = /RFC\s?\d+\s?§\d+(?:\.\d+)*(?:\s*(?:[,/–-]|\band\b|\bor\b)\s*§\d+(?:\.\d+)*)*/g;
function docSections(file: string, text: string): Citation[] {
  const out: Citation[] = [];
  text.split('\n').forEach((l, i) => {
    for (const s of l.replace(RFC_CHAIN, '').matchAll(SECTION)) out.push({ file, line: i + 1, section: s[1] ?? '' });
  });
  return out;
}

describe(`${REFERENCE} citations`, () => {
  it('the reference has numbered sections, each number once', () => {
    const md = readFileSync(join(ROOT, REFERENCE), 'utf8');
    const all = [...md.matchAll(/^#{1,6} §(\d+(?:\.\d+)*)(?=[\s*]|$)/gm)].map((m) => m[1]);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
    // The Lambda@Edge part keeps the numbering code has always cited (top-level §0–§11).
    for (let n = 0; n <= 11; n++) expect(sections.has(String(n)), `§${n}`).toBe(true);
  });

  it('finds every section of a chain and stops at the next citation of something else', () => {
    const text = [
      '// a docs/cloudfront-reference.md §6.6–§6.8 rule',
      '// docs/cloudfront-reference.md §6.2, §6.3; §0 and §3.1',
      '// docs/cloudfront-reference.md §3.4 and RFC 9110 §7.6.1.',
    ].join('\n');
    expect(citations('x.ts', text).map((c) => `${c.line}:${c.section}`)).toEqual(['1:6.6', '1:6.8', '2:6.2', '2:6.3', '2:0', '2:3.1', '3:3.4']);
  });

  it('reports a cited section the reference lacks (the check can fail)', () => {
    const bad = citations('x.ts', '// docs/cloudfront-reference.md §3.2, §99.1').filter((c) => !sections.has(c.section));
    expect(bad).toEqual([{ file: 'x.ts', line: 1, section: '99.1' }]);
  });

  it('every section cited in src/ and test/ exists in the reference', () => {
    expect(files.length).toBeGreaterThan(50);
    const missing = files
      .flatMap(({ file, text }) => citations(file, text))
      .filter((c) => !sections.has(c.section))
      .map((c) => `${c.file}:${c.line}: ${REFERENCE} has no §${c.section}`);
    expect(missing).toEqual([]);
  });

  it('every bare §N in README.md and docs/ (other than RFC sections) exists in the reference', () => {
    expect(docSections('x.md', '- TTL (§6.5, RFC 9111 §4.2.3 and RFC 9111 §5.2.2.4/§5.2.2.7; §99)').map((c) => c.section)).toEqual(['6.5', '99']);
    const cited = docs.flatMap(({ file, text }) => docSections(file, text));
    expect(cited.length).toBeGreaterThan(100);
    expect(cited.filter((c) => !sections.has(c.section)).map((c) => `${c.file}:${c.line}: ${REFERENCE} has no §${c.section}`)).toEqual([]);
  });

  it('recognises citations that point outside the repository (the check can fail)', () => {
    const sample = [
      '// see ../shared/spec/lambda-edge.md',
      '// (spec §3.2)',
      '// lambda-edge.md §4',
      '// the fault matrix of issue 4 point 2',
      '// as issue #3 asks',
      '// docs/cloudfront-reference.md §3.2 and RFC 9111 §4.2.3; aws/aws-sdk-js-v3#5689',
    ].join('\n');
    expect(outsideCitations('x.ts', sample).map((f) => `${f.line}:${f.what}`)).toEqual([
      '1:a path outside the repository',
      '1:a research note outside the repository',
      '2:a section of "the spec" (cite docs/cloudfront-reference.md §N)',
      '3:a research note outside the repository',
      '4:a tracker issue',
      '5:a tracker issue',
    ]);
  });

  it('nothing in src/, test/, README.md or docs/ cites a path outside the repository, "spec §N" or a tracker issue', () => {
    const found = [...files, ...docs].flatMap(({ file, text }) => outsideCitations(file, text)).map((f) => `${f.file}:${f.line}: ${f.what}: ${f.text}`);
    expect(found).toEqual([]);
  });
});
