// The import graph of src/: which module imports which (type-only imports included: a cycle of types
// still ties two modules together). test/architecture.test.ts holds src/ to three rules with it, and
// `npm run graph` prints the same findings:
//   - no stage imports another stage (the stages are the steps of src/pipeline/steps.ts TRANSITIONS:
//     only the driver, run.ts, knows their order);
//   - no import cycle anywhere in src/;
//   - the worker side (src/runtime/worker/) imports only node builtins, itself, and the thread-boundary
//     modules it shares with the host (WORKER_SHARED), which import no more than that themselves.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { STEPS } from '../src/pipeline/steps.js';

export interface ModuleNode {
  /** Repository-relative path with `/`, e.g. `src/pipeline/run.ts`. */
  readonly file: string;
  /** Modules of src/ it imports (repository-relative). */
  readonly imports: readonly string[];
  /** Specifiers outside the repository: `node:fs`, `undici`. */
  readonly external: readonly string[];
}

export type ImportGraph = ReadonlyMap<string, ModuleNode>;

/** The directory of the worker side, and the host modules it may import (the thread boundary's protocol). */
export const WORKER_DIR = 'src/runtime/worker/';
export const WORKER_SHARED: readonly string[] = [
  'src/runtime/protocol.ts',
  'src/runtime/ring.ts',
  'src/runtime/cff-protocol.ts',
  'src/runtime/edge-protocol.ts',
  // The Lambda@Edge event and CloudFront's result rules: the workers build the one and apply the other.
  'src/event/build.ts',
  'src/event/types.ts',
  'src/event/headers.ts',
  'src/event/body.ts',
  'src/event/result-diff.ts',
  'src/event/validate-result.ts',
  'src/event/validate-common.ts',
  'src/event/validate-origin.ts',
  'src/rules/cloudfront.ts',
  'src/rules/errors.ts',
];

/** The modules that implement a step (src/pipeline/<step>.ts), from the transition table. */
export const STAGE_FILES: readonly string[] = STEPS.map((s) => `src/pipeline/${s}.ts`);

/** The repository root: the nearest directory above this file with a package.json. */
function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`import-graph: no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (NodeNext: imports name the emitted `.js`). */
function resolveRelative(fromFile: string, spec: string, root: string, known: ReadonlySet<string>): string {
  const base = posix.join(posix.dirname(fromFile), spec);
  for (const cand of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`]) if (known.has(cand)) return cand;
  // Not a module of src/ (a .json, a file outside): keep the path so a rule can still name it.
  return toPosix(relative(root, resolve(root, base)));
}

export function importGraph(root = repoRoot()): ImportGraph {
  const files = tsFiles(join(root, 'src')).map((f) => toPosix(relative(root, f)));
  const known = new Set(files);
  const graph = new Map<string, ModuleNode>();
  for (const file of files.sort()) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const imports = new Set<string>();
    const external = new Set<string>();
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('.')) imports.add(resolveRelative(file, spec, root, known));
      else external.add(spec);
    }
    graph.set(file, { file, imports: [...imports].sort(), external: [...external].sort() });
  }
  return graph;
}

/** Every cycle, as one strongly connected component each (Tarjan), listed from its first module. */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.imports ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = scc.length === 1 && (graph.get(v)?.imports ?? []).includes(v);
      if (scc.length > 1 || selfLoop) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** Imports from one stage module to another. */
export function stageEdges(graph: ImportGraph, stages: readonly string[] = STAGE_FILES): Edge[] {
  const set = new Set(stages);
  const out: Edge[] = [];
  for (const n of graph.values()) if (set.has(n.file)) for (const to of n.imports) if (set.has(to) && to !== n.file) out.push({ from: n.file, to });
  return out;
}

/**
 * Imports the worker side may not make: from a worker file, or from a shared module it reaches, to a
 * module outside the worker directory and WORKER_SHARED, or to a package (node builtins only).
 */
export function workerViolations(graph: ImportGraph): Edge[] {
  const allowed = (f: string): boolean => f.startsWith(WORKER_DIR) || WORKER_SHARED.includes(f);
  const out: Edge[] = [];
  const seen = new Set<string>();
  const queue = [...graph.keys()].filter((f) => f.startsWith(WORKER_DIR));
  while (queue.length > 0) {
    const f = queue.shift() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    const n = graph.get(f);
    if (n === undefined) continue;
    for (const to of n.imports) {
      if (allowed(to)) queue.push(to);
      else out.push({ from: f, to });
    }
    for (const spec of n.external) if (!spec.startsWith('node:')) out.push({ from: f, to: spec });
  }
  return out;
}

/** The summary `npm run graph` prints; `ok` is false when any rule is broken. */
export function summary(graph: ImportGraph): { text: string; ok: boolean } {
  const found = cycles(graph);
  const stage = stageEdges(graph);
  const worker = workerViolations(graph);
  let edges = 0;
  for (const n of graph.values()) edges += n.imports.length;
  const lines = [`src/: ${graph.size} modules, ${edges} imports between them`];
  lines.push(found.length === 0 ? 'cycles: none' : `cycles: ${found.length}`);
  for (const c of found) lines.push(`  ${c.join(' ↔ ')}`);
  lines.push(`stages (${STAGE_FILES.length}): ${STAGE_FILES.map((f) => posix.basename(f, '.ts')).join(', ')}`);
  lines.push(stage.length === 0 ? 'stage → stage imports: none' : `stage → stage imports: ${stage.length}`);
  for (const e of stage) lines.push(`  ${e.from} → ${e.to}`);
  lines.push(worker.length === 0 ? `worker side (${WORKER_DIR}, ${WORKER_SHARED.join(', ')}) → host imports: none` : `worker side → host imports: ${worker.length}`);
  for (const e of worker) lines.push(`  ${e.from} → ${e.to}`);
  return { text: lines.join('\n'), ok: found.length === 0 && stage.length === 0 && worker.length === 0 };
}

// ---- file size: one job per file ---------------------------------------------------------------

/** A module longer than this does more than one job, unless it is listed below with the reason it is one. */
export const MAX_MODULE_LINES = 450;

/** Modules allowed past MAX_MODULE_LINES: each holds one concept that splitting would scatter. */
export const ONE_CONCEPT_MODULES: Readonly<Record<string, string>> = {
  'src/runtime/worker/cff/prelude.ts':
    "one function whose source text is evaluated inside a CloudFront Function's vm context (sandbox.ts): it cannot import helpers, so the runtime's whole global environment is in it",
  'src/runtime/cff-host.ts':
    "the CloudFront Functions host: one function's worker pool, pipelining and key value stores, whose state is private to one class pair",
};

/** Modules of src/ over MAX_MODULE_LINES that ONE_CONCEPT_MODULES does not list, with their length. */
export function largeModules(graph: ImportGraph, root = repoRoot()): Array<{ file: string; lines: number }> {
  const out: Array<{ file: string; lines: number }> = [];
  for (const file of graph.keys()) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n').length - 1;
    if (lines > MAX_MODULE_LINES && ONE_CONCEPT_MODULES[file] === undefined) out.push({ file, lines });
  }
  return out;
}

// `npm run graph` (built: dist/scripts/import-graph.js).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { text, ok } = summary(importGraph());
  process.stdout.write(`${text}\n`);
  process.exitCode = ok ? 0 : 1;
}
