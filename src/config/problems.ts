// Config problems as people read them: every problem is collected and reported at once, one line
// each, naming the file (or the flag that supplied the value) and the field path, with a "did you
// mean" for a misspelt key. zod issues are flattened into the same lines.

import type { z } from 'zod';
import { didYouMean } from '../suggest.js';
import { ConfigError } from './errors.js';

export type PathSegment = string | number;

export interface Problem {
  path: string;
  message: string;
}

/** `behaviors[1].functions.viewer-request` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Collects problems; a config path can be renamed to the flag that supplied its value. */
export class Problems {
  readonly list: Problem[] = [];
  constructor(
    private readonly label: string,
    private readonly flagFor: ReadonlyMap<string, string>,
  ) {}

  add(where: readonly PathSegment[] | string, message: string): void {
    const p = typeof where === 'string' ? where : formatPath(where);
    this.list.push({ path: p, message });
  }

  addAll(problems: readonly Problem[]): void {
    this.list.push(...problems);
  }

  /** One line per problem: `config.json: behaviors[1].origin: unknown origin id "x"` or `--origin: ...`. */
  throwIfAny(): void {
    if (this.list.length > 0) this.fail();
  }

  fail(): never {
    const lines = this.list.map(({ path: p, message }) => {
      const flag = this.flagFor.get(p) ?? [...this.flagFor].find(([k]) => p.startsWith(`${k}.`) || p.startsWith(`${k}[`))?.[1];
      return flag !== undefined ? `${flag}: ${message}` : `${this.label}: ${p}: ${message}`;
    });
    throw new ConfigError('InvalidConfig', lines.join('\n'));
  }
}

// ---- turning zod issues into lines people can act on -----------------------------------------

type Issue = z.core.$ZodIssue;

function depth(issues: readonly Issue[]): number {
  return issues.reduce((m, i) => Math.max(m, i.path.length), 0);
}

function rootTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.path.length === 0 && i.code === 'invalid_type');
}

/** What a union branch wanted, when the value did not even have the branch's type. */
function expectation(issues: readonly Issue[]): string {
  const root = issues.find((i) => i.path.length === 0);
  if (root === undefined) return 'a different value';
  if (root.code === 'invalid_value') return root.values.map((v) => JSON.stringify(v)).join(' | ');
  if (root.code === 'invalid_type') return root.expected === 'object' ? 'an object' : `a ${root.expected}`;
  if (root.code === 'invalid_union' && root.errors.length === 0 && 'options' in root) {
    return `an object with "behavior"`;
  }
  return 'a different value';
}

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'is required';
      return issue.message.replace(/^Invalid input: /, '').replace('received', 'got');
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return issue.message;
    default:
      return issue.message;
  }
}

/**
 * Flatten zod issues into problems. For a union, report the branch the value got furthest into
 * (the one whose errors are deepest), so `{ "behavior": "whitelist" }` says `names: is required`
 * rather than "expected a string". `knownKeys` are the keys the schema accepts anywhere, for the
 * "did you mean" on an unknown key.
 */
export function issuesToProblems(issues: readonly Issue[], knownKeys: readonly string[], base: readonly PathSegment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), message: `unknown field${didYouMean(key, knownKeys)}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors;
      if (branches.every((b) => depth(b) === 0 && b.every((i) => i.path.length === 0))) {
        const wanted = [...new Set(branches.map(expectation))].join(', or ');
        out.push({ path: formatPath(path), message: `expected ${wanted}` });
        continue;
      }
      let best = branches[0] ?? [];
      for (const b of branches) {
        const better =
          depth(b) > depth(best) || (depth(b) === depth(best) && rootTypeMismatch(best) && !rootTypeMismatch(b));
        if (better) best = b;
      }
      out.push(...issuesToProblems(best, knownKeys, path));
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
      out.push({
        path: formatPath(path),
        message: `must be one of ${options.map((o: unknown) => JSON.stringify(o)).join(', ')}`,
      });
    } else {
      out.push({ path: formatPath(path), message: describeIssue(issue) });
    }
  }
  return out;
}
