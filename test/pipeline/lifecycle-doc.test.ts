// docs/lifecycle.md and the pipeline stay in step (as fastify's docs are kept by its tests): the doc
// has one section per step of the transition table, in its order; each section's Next list is that
// step's row; the exchange fields it names exist; the error codes it names exist with their status,
// and include every code the step's module and the modules it imports raise by name, the functions'
// codes for a step that runs a function, and the origin client's codes for the step that fetches.

import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../src/errors.js';
import { STEPS, TIMED, TRANSITIONS, type Step } from '../../src/pipeline/steps.js';

const root = new URL('../../', import.meta.url);
const read = (rel: string): string => readFileSync(new URL(rel, root), 'utf8');
const doc = read('docs/lifecycle.md');

interface Section {
  step: string;
  body: string;
  field(name: string): string | undefined;
}

/** `### \`step\`` sections of "## Steps", in order. */
function sections(): Section[] {
  const steps = doc.slice(doc.indexOf('\n## Steps\n'), doc.indexOf('\n## ', doc.indexOf('\n## Steps\n') + 1));
  const out: Section[] = [];
  for (const m of steps.matchAll(/^### `([a-z-]+)`\n([\s\S]*?)(?=^### |(?![\s\S]))/gm)) {
    const body = m[2] ?? '';
    out.push({
      step: m[1] ?? '',
      body,
      field: (name) => body.match(new RegExp(`^- \\*\\*${name}:\\*\\* (.*)$`, 'm'))?.[1],
    });
  }
  return out;
}

const names = (line: string | undefined): string[] => [...(line ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

/** The members of `interface Exchange` in src/pipeline/exchange.ts. */
function exchangeFields(): Set<string> {
  const file = ts.createSourceFile('exchange.ts', read('src/pipeline/exchange.ts'), ts.ScriptTarget.ES2022);
  const fields = new Set<string>();
  file.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'Exchange') for (const m of n.members) if (m.name && ts.isIdentifier(m.name)) fields.add(m.name.text);
  });
  return fields;
}

/** Codes a module raises by name: `new EdgeError('Code', …`. */
function raised(rel: string): ErrorCode[] {
  return [...read(rel).matchAll(/new EdgeError\('([A-Za-z]+)'/g)].map((m) => m[1] as ErrorCode);
}

/** The modules of src/ a module imports values from (`import type` lines cannot raise anything). */
function valueImports(rel: string): string[] {
  return [...read(rel).matchAll(/^import (?!type )[^;]*? from '(\.[^']+)';/gm)].map((m) => posix.join(posix.dirname(rel), (m[1] ?? '').replace(/\.js$/, '.ts')));
}

const docSections = sections();
const byStep = new Map(docSections.map((s) => [s.step, s]));

describe('docs/lifecycle.md', () => {
  it('has one section per step, in the order of the transition table', () => {
    expect(docSections.map((s) => s.step)).toEqual([...STEPS]);
  });

  for (const step of STEPS) {
    describe(step, () => {
      const s = (): Section => {
        const found = byStep.get(step);
        if (found === undefined) throw new Error(`docs/lifecycle.md has no section for ${step}`);
        return found;
      };

      it('lists exactly its row of TRANSITIONS as Next', () => {
        expect(names(s().field('Next'))).toEqual([...TRANSITIONS[step]]);
      });

      it('names only fields the exchange has', () => {
        const fields = exchangeFields();
        const named = [...names(s().field('Reads')), ...names(s().field('Writes'))];
        expect(named.length).toBeGreaterThan(0);
        for (const f of named) expect(fields, `${step}: exchange has no field ${f}`).toContain(f);
      });

      it('lists the codes it can raise, each with the status the viewer gets', () => {
        const line = s().field('Errors');
        expect(line, `${step}: no Errors line`).toBeDefined();
        const listed = new Map([...(line ?? '').matchAll(/`([A-Za-z]+)` \((\d{3})\)/g)].map((m) => [m[1] as string, Number(m[2])]));
        if (listed.size === 0) expect(line).toBe('none');
        for (const [code, status] of listed) {
          expect(Object.keys(ERRORS), `${step}: ${code} is not in src/errors.ts`).toContain(code);
          expect(status, `${step}: ${code}`).toBe(ERRORS[code as ErrorCode].status);
        }
        const module = read(`src/pipeline/${step}.ts`);
        const file = `src/pipeline/${step}.ts`;
        const must = new Set<string>(raised(file));
        for (const dep of valueImports(file)) for (const c of raised(dep)) must.add(c);
        // A step that runs a function can fail as every function can (pipeline/invoke.ts).
        if (module.includes("from './invoke.js'")) for (const c of ['LambdaValidationError', 'LambdaExecutionError', 'LambdaLimitExceeded', ...raised('src/pipeline/invoke.ts')]) must.add(c);
        // The step that fetches fails as the origin client does.
        if (module.includes('env.origins.fetch(')) for (const c of raised('src/origin/client.ts')) must.add(c);
        for (const c of must) expect([...listed.keys()], `${step} can raise ${c}`).toContain(c);
      });
    });
  }

  it('names the codes synth answers from the stale copy: those with staleOnError in the table', () => {
    const line = byStep.get('synth')?.body ?? '';
    const stale = (Object.keys(ERRORS) as ErrorCode[]).filter((c) => ERRORS[c].staleOnError);
    expect(stale.length).toBeGreaterThan(0);
    const listed = names(line.slice(line.indexOf('` is yes'), line.indexOf('a stale copy may')).slice(1)).filter((n) => n in ERRORS);
    expect(listed.sort()).toEqual(stale.sort());
  });

  it('names the timed steps of steps.ts TIMED', () => {
    const para = doc.slice(doc.indexOf('## Timings and the step trace'));
    const timed = names(para.slice(0, para.indexOf('(`TIMED`'))).filter((n): n is Step => (STEPS as readonly string[]).includes(n));
    expect(timed).toEqual(Object.keys(TIMED));
  });

  it('draws every step in the diagram', () => {
    const diagram = doc.slice(doc.indexOf('```\n'), doc.indexOf('```\n', doc.indexOf('```\n') + 4));
    for (const step of STEPS) expect(diagram, step).toContain(step);
  });
});
