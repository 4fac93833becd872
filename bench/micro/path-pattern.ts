// Behavior match (docs/cloudfront-reference.md §6.1): one compiled pattern, and first-match over a 5-behavior list.

import type { ResolvedBehavior } from '../../src/config/types.js';
import { behavior, PATTERNS } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type CompilePathPattern = (pattern: string) => (path: string) => boolean;
type SelectBehavior = (behaviors: readonly ResolvedBehavior[], path: string) => ResolvedBehavior;

export const cases: MicroCase[] = [
  {
    name: 'compilePathPattern: match /images/*.jpg',
    async setup() {
      const compile = fnExport<CompilePathPattern>(await importSrc('config/path-pattern.js'), 'compilePathPattern');
      if (typeof compile === 'string') return compile;
      const m = compile('/images/*.jpg');
      if (m('/images/a/b.jpg') !== true || m('/images/a.png') !== false) return 'compilePathPattern gives unexpected answers';
      return () => m('/images/2024/summer/cat.jpg');
    },
  },
  {
    name: 'selectBehavior: 5 behaviors, falls to default',
    async setup() {
      const mod = await importSrc('config/path-pattern.js');
      const compile = fnExport<CompilePathPattern>(mod, 'compilePathPattern');
      const select = fnExport<SelectBehavior>(mod, 'selectBehavior');
      if (typeof compile === 'string') return compile;
      if (typeof select === 'string') return select;
      const behaviors = PATTERNS.map((p) => behavior(p, compile(p)));
      const last = behaviors[behaviors.length - 1];
      if (select(behaviors, '/about/team.html') !== last) return 'selectBehavior did not fall back to the default';
      return () => select(behaviors, '/about/team.html');
    },
  },
];
