// src/ keeps its seams: only the driver knows the order of the stages, no two modules import each
// other (directly or round a loop), and the worker side imports nothing from the host but the
// thread-boundary modules (scripts/import-graph.ts; `npm run graph` prints the same).

import { describe, expect, it } from 'vitest';
import {
  cycles,
  type ImportGraph,
  importGraph,
  largeModules,
  MAX_MODULE_LINES,
  type ModuleNode,
  ONE_CONCEPT_MODULES,
  STAGE_FILES,
  stageEdges,
  summary,
  WORKER_DIR,
  WORKER_SHARED,
  workerViolations,
} from '../scripts/import-graph.js';

const graph = importGraph();

function fake(modules: Record<string, string[] | { imports: string[]; external: string[] }>): ImportGraph {
  const g = new Map<string, ModuleNode>();
  for (const [file, v] of Object.entries(modules)) g.set(file, Array.isArray(v) ? { file, imports: v, external: [] } : { file, ...v });
  return g;
}

describe('the import graph of src/', () => {
  it('is read from every module, type-only and multi-line imports included', () => {
    expect(graph.size).toBeGreaterThan(50);
    // run.ts imports the stages; exchange.ts has `import type` lines only.
    expect(graph.get('src/pipeline/run.ts')?.imports).toEqual(expect.arrayContaining(['src/pipeline/cache-lookup.ts', 'src/pipeline/steps.ts']));
    expect(graph.get('src/pipeline/exchange.ts')?.imports).toContain('src/pipeline/steps.ts');
    // worker.ts imports ../protocol.js with a multi-line import list.
    expect(graph.get('src/runtime/worker/worker.ts')?.imports).toContain('src/runtime/protocol.ts');
  });

  it('every step of the transition table has its stage module', () => {
    for (const f of STAGE_FILES) expect(graph.has(f), `${f} is missing`).toBe(true);
  });

  it('no stage imports another stage', () => {
    expect(stageEdges(graph)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the worker side imports only node builtins, itself and the shared thread-boundary modules', () => {
    expect([...graph.keys()].some((f) => f.startsWith(WORKER_DIR))).toBe(true);
    for (const f of WORKER_SHARED) expect(graph.has(f), `${f} is missing`).toBe(true);
    expect(workerViolations(graph)).toEqual([]);
  });

  it('npm run graph reports it clean', () => {
    const s = summary(graph);
    expect(s.text).toContain('cycles: none');
    expect(s.text).toContain('stage → stage imports: none');
    expect(s.ok).toBe(true);
  });
});

describe('the rules find what they are for', () => {
  it('a cycle, round a loop of three or through a module importing itself', () => {
    const g = fake({ 'src/a.ts': ['src/b.ts'], 'src/b.ts': ['src/c.ts'], 'src/c.ts': ['src/a.ts'], 'src/d.ts': ['src/d.ts'], 'src/e.ts': ['src/a.ts'] });
    expect(cycles(g)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts'], ['src/d.ts']]);
  });

  it('a stage importing another stage, but not the driver importing stages', () => {
    const g = fake({
      'src/pipeline/run.ts': ['src/pipeline/deliver.ts', 'src/pipeline/cache-store.ts'],
      'src/pipeline/deliver.ts': ['src/pipeline/cache-store.ts', 'src/pipeline/env.ts'],
      'src/pipeline/cache-store.ts': [],
      'src/pipeline/env.ts': [],
    });
    expect(stageEdges(g)).toEqual([{ from: 'src/pipeline/deliver.ts', to: 'src/pipeline/cache-store.ts' }]);
  });

  it('the worker reaching host code directly, through a shared module, or through a package', () => {
    const g = fake({
      'src/runtime/worker/worker.ts': { imports: ['src/runtime/protocol.ts', 'src/runtime/pool.ts'], external: ['node:fs', 'undici'] },
      'src/runtime/protocol.ts': ['src/errors.ts'],
      'src/runtime/pool.ts': [],
      'src/errors.ts': [],
    });
    expect(workerViolations(g)).toEqual([
      { from: 'src/runtime/worker/worker.ts', to: 'src/runtime/pool.ts' },
      { from: 'src/runtime/worker/worker.ts', to: 'undici' },
      { from: 'src/runtime/protocol.ts', to: 'src/errors.ts' },
    ]);
  });
});

describe('module size (one job per file)', () => {
  it(`no module of src/ is over ${MAX_MODULE_LINES} lines unless it is listed as one concept, with why`, () => {
    expect(largeModules(graph)).toEqual([]);
  });

  it('every module listed as one concept exists and is still past the limit', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [file, why] of Object.entries(ONE_CONCEPT_MODULES)) {
      expect(graph.has(file), `${file} is listed but not in src/`).toBe(true);
      expect(why.length).toBeGreaterThan(20);
      const lines = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').split('\n').length - 1;
      expect(lines, `${file} is under the limit now: drop it from ONE_CONCEPT_MODULES`).toBeGreaterThan(MAX_MODULE_LINES);
    }
  });
});
