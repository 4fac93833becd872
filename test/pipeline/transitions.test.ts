// The transition table is enforced by the compiler: test/fixtures/types/transitions.ts marks each
// illegal transition with `@ts-expect-error`, so it compiles cleanly only while every one of them is
// an error (an unused `@ts-expect-error` is itself an error); without the markers, exactly those lines fail.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { STEPS, TRANSITIONS } from '../../src/pipeline/steps.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/types/transitions.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

function compilerOptions(): ts.CompilerOptions {
  const read = ts.readConfigFile(TSCONFIG, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, fileURLToPath(new URL('../../', import.meta.url)));
  return { ...parsed.options, noEmit: true };
}

/** Diagnostics of the fixture, compiled with the project's options; `text` replaces its contents. */
function diagnostics(text: string): Array<{ line: number; message: string }> {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === FIXTURE ? text : readFile(f));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (f === FIXTURE ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError, create));
  const program = ts.createProgram([FIXTURE], options, host);
  const file = program.getSourceFile(FIXTURE);
  return ts.getPreEmitDiagnostics(program, file).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

describe('the transition table', () => {
  it('names only steps, and ends in done', () => {
    for (const s of STEPS) for (const n of TRANSITIONS[s]) expect([...STEPS, 'done'], `${s} → ${n}`).toContain(n);
    expect(TRANSITIONS.deliver).toEqual(['done']);
    // Nothing hands over to the first step or to synth: the driver starts one and enters the other.
    for (const s of STEPS) expect(TRANSITIONS[s]).not.toContain('request');
    for (const s of STEPS) expect(TRANSITIONS[s]).not.toContain('synth');
  });

  const source = readFileSync(FIXTURE, 'utf8');

  it('an illegal transition does not compile; the legal ones do', () => {
    expect(diagnostics(source)).toEqual([]);
  }, 60_000);

  it('without the expect-error markers, exactly the marked lines fail', () => {
    const lines = source.split('\n');
    const marked: number[] = [];
    const stripped = lines.map((l, i) => {
      if (!l.trim().startsWith('// @ts-expect-error')) return l;
      marked.push(i + 2); // the marker covers the next line (1-based)
      return '';
    });
    expect(marked.length).toBe(4);
    const found = diagnostics(stripped.join('\n'));
    expect([...new Set(found.map((d) => d.line))].sort((a, b) => a - b)).toEqual(marked);
    expect(found.map((d) => d.message).join('\n')).toMatch(/not assignable/);
  }, 60_000);
});
