// The load-time check of a CloudFront Function's code: what CloudFront refuses at CreateFunction /
// UpdateFunction (size, syntax) and what its runtime does not have (features, modules, globals), each
// reported with file:line:column and the feature's name. Parsed with acorn (a real ECMAScript parser),
// then walked once. Sources: AWS CloudFront Developer Guide, "JavaScript runtime 1.0 features" and
// "JavaScript runtime 2.0 features" (functions-javascript-runtime-10.html / -20.html), "Restricted
// features" on the same pages, and "Quotas on CloudFront Functions" (cloudfront-limits.html).
//
// Two severities: `error` — the runtime lacks it (AWS documents it as unsupported, or the code cannot
// load); `warning` — AWS does not list it for the runtime (destructuring, spread, classes, …): V8 runs it,
// CloudFront may not. `strict` turns warnings into errors. Passing here is not proof that CloudFront's
// engine accepts the code: V8 is more permissive (docs/cloudfront-reference.md §22.4).

import { parse, type Node as AcornNode, type AnyNode, type Program } from 'acorn';
import { ancestor } from 'acorn-walk';
import { ABSENT_GLOBALS, CONSOLE_OK, IMPORT_OK, OTHER, REGEX_FLAGS, REQUIRE, REQUIRE_OK, UNDOCUMENTED_LOAD, UNLISTED_METHODS } from './features.js';
import { CODE_SIZE_LIMIT, type CffRuntime } from './limits.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** A short stable name of the feature, e.g. `let`, `async-function`, `module:fs`, `size`. */
  feature: string;
  /** 1-based line and column of the construct (0 for the whole file). */
  line: number;
  column: number;
  message: string;
}

/** One `import … from '…'` as the sandbox rewrites it: source span and the bindings it makes. */
export interface ImportSite {
  start: number;
  end: number;
  module: string;
  bindings: Array<{ local: string; imported: string }>;
}

export interface CheckResult {
  /** Errors first, then warnings, each in source order. */
  findings: Finding[];
  /** True when no finding is an error (after `strict`). */
  ok: boolean;
  /** The code as a classic script the sandbox can compile (imports turned into module lookups); undefined when it does not parse. */
  script: string | undefined;
  /** Whether the top-level `handler` is declared `async` (2.0 only). */
  asyncHandler: boolean;
}

export interface CheckOptions {
  /** Warnings become errors (`--strict-cff`). */
  strict?: boolean;
}

interface Walk {
  runtime: CffRuntime;
  findings: Finding[];
  source: string;
  lineStarts: number[];
  declared: Set<string>;
  references: Array<{ name: string; at: number }>;
  imports: ImportSite[];
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a source offset. */
function position(w: Pick<Walk, 'lineStarts'>, offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = w.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((w.lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (w.lineStarts[lo] ?? 0) + 1 };
}

/** `node` -1: the whole file (no line:col). */
function add(w: Walk, severity: Severity, feature: string, node: AcornNode | number, message: string): void {
  const { line, column } = node === -1 ? { line: 0, column: 0 } : position(w, typeof node === 'number' ? node : node.start);
  w.findings.push({ severity, feature, line, column, message });
}

/** The runtime has no such feature (documented): always an error. */
function lacks(w: Walk, feature: string, node: AcornNode, what: string): void {
  const hint = w.runtime === 'cloudfront-js-1.0' && SUPPORTED_IN_2.has(feature) ? ` (available in cloudfront-js-2.0)` : '';
  add(w, 'error', feature, node, `${w.runtime} does not support ${what}${hint}`);
}

/** AWS lists the feature for neither runtime: a warning. */
function unlisted(w: Walk, feature: string, node: AcornNode, what: string): void {
  add(w, 'warning', feature, node, `${what} is not listed among ${w.runtime}'s supported features; CloudFront may reject it at run time`);
}

const SUPPORTED_IN_2: ReadonlySet<string> = new Set(['let', 'const', 'async-function', 'await', 'import', 'numeric-separator']);

function isFunctionNode(n: AnyNode): boolean {
  return n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
}

function collectPatternNames(p: AnyNode | null | undefined, into: Set<string>): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      into.add(p.name);
      return;
    case 'ObjectPattern':
      for (const prop of p.properties) collectPatternNames(prop.type === 'RestElement' ? prop.argument : prop.value, into);
      return;
    case 'ArrayPattern':
      for (const el of p.elements) collectPatternNames(el, into);
      return;
    case 'RestElement':
      collectPatternNames(p.argument, into);
      return;
    case 'AssignmentPattern':
      collectPatternNames(p.left, into);
      return;
    default:
      return;
  }
}

function checkFunction(w: Walk, node: AnyNode & { async: boolean; generator: boolean; params: AnyNode[] }, ancestors: AnyNode[]): void {
  if (node.async) {
    if (w.runtime === 'cloudfront-js-1.0') lacks(w, 'async-function', node, 'async functions');
    else {
      // "async arguments and closures are not supported" (runtime 2.0 page): an async function passed
      // as an argument is the case the sentence names most plainly.
      const parent = ancestors[ancestors.length - 2];
      if (parent && (parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.arguments.includes(node as never)) {
        add(w, 'warning', 'async-argument', node, `an async function passed as an argument: ${w.runtime} documents "async arguments and closures" as unsupported`);
      }
    }
  }
  if (node.generator) unlisted(w, 'generator', node, 'a generator function');
  for (const p of node.params) {
    collectPatternNames(p, w.declared);
    if (p.type === 'AssignmentPattern') unlisted(w, 'default-parameter', p, 'a default parameter value');
    if (p.type === 'ObjectPattern' || p.type === 'ArrayPattern') unlisted(w, 'destructuring', p, 'a destructuring parameter');
    // Rest parameters are listed for both runtimes.
  }
}

function checkPattern(w: Walk, node: AnyNode): void {
  if (node.type === 'ObjectPattern' || node.type === 'ArrayPattern') unlisted(w, 'destructuring', node, 'destructuring');
}

function visitors(): Parameters<typeof ancestor<Walk>>[1] {
  return {
    VariableDeclaration(node, w) {
      const kind = node.kind as string;
      if (kind === 'let' || kind === 'const') {
        if (w.runtime === 'cloudfront-js-1.0') lacks(w, kind, node, `'${kind}' declarations (use var)`);
      } else if (kind !== 'var') {
        add(w, 'error', 'using', node, `${w.runtime} does not support '${kind}' declarations`);
      }
      for (const d of node.declarations) {
        collectPatternNames(d.id, w.declared);
        checkPattern(w, d.id);
      }
    },
    FunctionDeclaration(node, w, anc) {
      if (node.id) w.declared.add(node.id.name);
      checkFunction(w, node, anc);
    },
    FunctionExpression(node, w, anc) {
      if (node.id) w.declared.add(node.id.name);
      checkFunction(w, node, anc);
    },
    ArrowFunctionExpression(node, w, anc) {
      checkFunction(w, node, anc);
    },
    AwaitExpression(node, w, anc) {
      if (w.runtime === 'cloudfront-js-1.0') {
        lacks(w, 'await', node, "'await'");
        return;
      }
      // Walk up to the enclosing function: none means top-level await.
      let child: AnyNode = node;
      for (let i = anc.length - 2; i >= 0; i--) {
        const a = anc[i]!;
        if (isFunctionNode(a)) return;
        if ((a.type === 'CallExpression' || a.type === 'NewExpression') && a.arguments.includes(child as never)) {
          add(w, 'warning', 'await-in-arguments', node, "'await' inside call arguments: CloudFront's 2.0 runtime has been seen failing with \"await in arguments not supported\"; await into a variable first");
        }
        child = a;
      }
      add(w, 'error', 'top-level-await', node, "'await' outside an async function (top-level await)");
    },
    ForOfStatement(node, w) {
      unlisted(w, node.await ? 'for-await-of' : 'for-of', node, node.await ? "'for await…of'" : "'for…of'");
      if (node.left.type !== 'VariableDeclaration') checkPattern(w, node.left);
    },
    ForInStatement(node, w) {
      if (node.left.type !== 'VariableDeclaration') checkPattern(w, node.left);
    },
    CatchClause(node, w) {
      if (node.param === null) unlisted(w, 'optional-catch-binding', node, 'a catch clause without a binding');
      else {
        const param = node.param;
        collectPatternNames(param, w.declared);
        if (param) checkPattern(w, param);
      }
    },
    AssignmentExpression(node, w) {
      checkPattern(w, node.left);
      if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') unlisted(w, 'logical-assignment', node, `the '${node.operator}' operator`);
    },
    LogicalExpression(node, w) {
      if (node.operator === '??') unlisted(w, 'nullish-coalescing', node, "the '??' operator");
    },
    ChainExpression(node, w) {
      unlisted(w, 'optional-chaining', node, "optional chaining ('?.')");
    },
    SpreadElement(node, w) {
      unlisted(w, 'spread', node, "spread syntax ('...')");
    },
    Property(node, w) {
      if (node.shorthand) unlisted(w, 'shorthand-property', node, 'a shorthand property ({ name })');
      else if (node.method) unlisted(w, 'method-shorthand', node, 'a method shorthand ({ name() {} })');
      else if (node.computed) unlisted(w, 'computed-property', node, 'a computed property name');
    },
    ClassDeclaration(node, w) {
      if (node.id) w.declared.add(node.id.name);
      unlisted(w, 'class', node, 'a class');
    },
    ClassExpression(node, w) {
      unlisted(w, 'class', node, 'a class');
    },
    TaggedTemplateExpression(node, w) {
      unlisted(w, 'tagged-template', node, 'a tagged template');
    },
    MetaProperty(node, w) {
      if (node.meta.name === 'import') add(w, 'error', 'import-meta', node, `${w.runtime} does not support 'import.meta'`);
      else unlisted(w, 'new-target', node, "'new.target'");
    },
    ImportExpression(node, w) {
      add(w, 'error', 'dynamic-import', node, `${w.runtime} does not support dynamic 'import()'`);
    },
    ExportNamedDeclaration(node, w) {
      add(w, 'error', 'export', node, "CloudFront Functions export nothing: the top-level function named 'handler' is the entry point; remove 'export'");
    },
    ExportDefaultDeclaration(node, w) {
      add(w, 'error', 'export', node, "CloudFront Functions export nothing: the top-level function named 'handler' is the entry point; remove 'export default'");
    },
    ExportAllDeclaration(node, w) {
      add(w, 'error', 'export', node, 'CloudFront Functions export nothing; remove the export');
    },
    ImportDeclaration(node, w) {
      const mod = String(node.source.value);
      const site: ImportSite = { start: node.start, end: node.end, module: mod, bindings: [] };
      for (const s of node.specifiers) {
        w.declared.add(s.local.name);
        const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value);
        site.bindings.push({ local: s.local.name, imported });
      }
      w.imports.push(site);
      if (w.runtime === 'cloudfront-js-1.0') {
        lacks(w, 'import', node, `ES 'import' (use require('${mod}'))`);
        return;
      }
      if (IMPORT_OK.has(mod)) return;
      if (UNDOCUMENTED_LOAD.import.has(mod)) {
        add(w, 'warning', `module:${mod}`, node.source, `import of '${mod}': AWS documents require('${mod}') for ${w.runtime}, not import`);
        return;
      }
      add(w, 'error', `module:${mod}`, node.source, moduleMessage(w.runtime, mod));
    },
    CallExpression(node, w) {
      const callee = node.callee;
      if (callee.type === 'Identifier' && callee.name === REQUIRE) {
        const arg = node.arguments[0];
        if (node.arguments.length !== 1 || !arg || arg.type !== 'Literal' || typeof arg.value !== 'string') {
          add(w, 'error', 'require', node, "require() takes one string literal naming a built-in module ('crypto', 'querystring')");
          return;
        }
        const mod = arg.value;
        if (!REQUIRE_OK[w.runtime].has(mod)) add(w, 'error', `module:${mod}`, arg, moduleMessage(w.runtime, mod));
        else if (UNDOCUMENTED_LOAD.require.has(mod)) {
          add(w, 'warning', `module:${mod}`, arg, `require('${mod}'): AWS documents ${mod === 'cloudfront' ? "import cf from 'cloudfront'" : 'the global Buffer'} for ${w.runtime}`);
        }
        return;
      }
      if (callee.type === 'Identifier' && callee.name === 'eval') {
        add(w, 'warning', 'eval', node, 'eval() throws an EvalError on CloudFront (dynamic code evaluation is not supported)');
      }
      if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
        const name = callee.property.name;
        if (callee.object.type === 'Identifier' && callee.object.name === 'console') {
          if (name !== CONSOLE_OK) add(w, 'warning', `console.${name}`, callee.property, `console.${name}() does not exist on CloudFront: only console.log()`);
          else if (node.arguments.length > 1) add(w, 'warning', 'console.log-arguments', node, "console.log() with several arguments: CloudFront doesn't support the comma syntax; concatenate instead");
          return;
        }
        if (UNLISTED_METHODS[w.runtime].has(name)) {
          const other = UNLISTED_METHODS[OTHER[w.runtime]].has(name) ? '' : ` (listed for ${OTHER[w.runtime]})`;
          add(w, 'warning', `method:${name}`, callee.property, `.${name}() is not listed among ${w.runtime}'s built-in methods${other}`);
        }
      }
    },
    NewExpression(node, w) {
      if (node.callee.type === 'Identifier' && node.callee.name === 'Function') {
        add(w, 'warning', 'function-constructor', node, 'the Function constructor throws an EvalError on CloudFront (dynamic code evaluation is not supported)');
      }
    },
    Literal(node, w) {
      if ('regex' in node && node.regex) {
        const allowed = REGEX_FLAGS[w.runtime];
        for (const f of node.regex.flags) {
          if (!allowed.includes(f)) add(w, 'warning', `regex-flag:${f}`, node, `the RegExp flag '${f}' is not listed for ${w.runtime}`);
        }
      } else if ('bigint' in node && node.bigint !== undefined) {
        unlisted(w, 'bigint', node, 'a BigInt literal');
      } else if (typeof node.value === 'number' && typeof node.raw === 'string' && node.raw.includes('_')) {
        if (w.runtime === 'cloudfront-js-1.0') lacks(w, 'numeric-separator', node, 'numeric separators (1_000)');
      }
    },
    Identifier(node, w) {
      w.references.push({ name: node.name, at: node.start });
    },
  };
}

function moduleMessage(runtime: CffRuntime, mod: string): string {
  const list = runtime === 'cloudfront-js-1.0' ? "'crypto' and 'querystring'" : "'crypto', 'querystring' and 'cloudfront' (and the global Buffer)";
  return `module '${mod}' is not available in ${runtime}: its built-in modules are ${list}; there is no file system, network or npm package loading`;
}

/** The top-level `handler`: a function declaration or a var/let/const bound to a function. */
function findHandler(program: Program): { found: boolean; isAsync: boolean; node?: AcornNode } {
  for (const top of program.body) {
    // `export function handler` is refused on its own; the handler is still there.
    const st = (top.type === 'ExportNamedDeclaration' || top.type === 'ExportDefaultDeclaration') && top.declaration ? top.declaration : top;
    if (st.type === 'FunctionDeclaration' && st.id?.name === 'handler') return { found: true, isAsync: st.async, node: st };
    if (st.type === 'VariableDeclaration') {
      for (const d of st.declarations) {
        if (d.id.type === 'Identifier' && d.id.name === 'handler' && d.init) {
          const init = d.init;
          if (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression') return { found: true, isAsync: init.async, node: d };
          return { found: true, isAsync: false, node: d };
        }
      }
    }
  }
  return { found: false, isAsync: false };
}

/**
 * The code as a classic script: each `import` declaration becomes `const x = __cffImport('m', 'default');`
 * in place, with its newlines kept so every later line keeps its number (stack traces point at the
 * user's lines). CloudFront evaluates imports before the rest; a `const` in place is the same for code
 * that does not use a binding above its import.
 */
function toScript(source: string, imports: readonly ImportSite[]): string {
  if (imports.length === 0) return source;
  let out = '';
  let at = 0;
  for (const site of imports) {
    out += source.slice(at, site.start);
    const decls = site.bindings.map((b) => `${b.local} = __cffImport(${JSON.stringify(site.module)}, ${JSON.stringify(b.imported)})`);
    const text = decls.length === 0 ? `__cffImport(${JSON.stringify(site.module)}, '*');` : `const ${decls.join(', ')};`;
    const newlines = source.slice(site.start, site.end).split('\n').length - 1;
    out += text + '\n'.repeat(newlines);
    at = site.end;
  }
  return out + source.slice(at);
}

/**
 * Checks `source` (the function file's text) for `runtime`. Never throws: every problem is a finding.
 * `file` is only used by formatFindings.
 */
export function checkCff(source: string, runtime: CffRuntime, opts: CheckOptions = {}): CheckResult {
  const w: Walk = { runtime, findings: [], source, lineStarts: lineStartsOf(source), declared: new Set(), references: [], imports: [] };
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > CODE_SIZE_LIMIT) {
    w.findings.push({
      severity: 'error',
      feature: 'size',
      line: 0,
      column: 0,
      message: `the code is ${bytes.toLocaleString('en-US')} bytes; CloudFront Functions are limited to 10 KB (${CODE_SIZE_LIMIT.toLocaleString('en-US')} bytes) (FunctionSizeLimitExceeded)`,
    });
  }
  let program: Program;
  try {
    // Module goal: strict mode throughout, as CloudFront always runs functions ("Strict mode" on the
    // runtime pages), and import declarations parse. Latest syntax so unsupported features get named.
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: false });
  } catch (e) {
    const err = e as { message?: unknown; pos?: unknown };
    const pos = typeof err.pos === 'number' ? err.pos : 0;
    // acorn appends "(line:col)"; we give the position ourselves.
    const msg = String(err.message ?? e).replace(/ \(\d+:\d+\)$/, '');
    add(w, 'error', 'syntax', pos, `SyntaxError: ${msg}`);
    return finish(w, opts, undefined, false);
  }
  ancestor(program, visitors(), undefined, w);

  const absent = ABSENT_GLOBALS[runtime];
  const seen = new Set<string>();
  for (const ref of w.references) {
    if (ref.name === REQUIRE || !absent.has(ref.name) || w.declared.has(ref.name) || seen.has(ref.name)) continue;
    seen.add(ref.name);
    add(w, 'warning', `global:${ref.name}`, ref.at, `'${ref.name}' does not exist in ${runtime} (a ReferenceError on CloudFront)`);
  }

  const handler = findHandler(program);
  if (!handler.found) {
    add(w, 'error', 'handler', -1, "no top-level function named 'handler': CloudFront calls `function handler(event)`");
  }
  return finish(w, opts, toScript(source, w.imports), handler.isAsync);
}

function finish(w: Walk, opts: CheckOptions, script: string | undefined, asyncHandler: boolean): CheckResult {
  if (opts.strict) for (const f of w.findings) f.severity = 'error';
  const byPos = (a: Finding, b: Finding): number => a.line - b.line || a.column - b.column;
  const errors = w.findings.filter((f) => f.severity === 'error').sort(byPos);
  const warnings = w.findings.filter((f) => f.severity === 'warning').sort(byPos);
  return { findings: [...errors, ...warnings], ok: errors.length === 0, script, asyncHandler };
}

/** `file:line:col: error [feature]: message`, one line per finding (the whole file has no line:col). */
export function formatFinding(file: string, f: Finding): string {
  const where = f.line === 0 ? file : `${file}:${f.line}:${f.column}`;
  return `${where}: ${f.severity} [${f.feature}]: ${f.message}`;
}
