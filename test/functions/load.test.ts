// The examples must load the way the runtime and AWS load them: by Node itself, as CommonJS
// (functions/package.json), with `handler` visible as a named export to import() too.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS_DIR } from './support.js';

const FILES = ['redirect.js', 'directory-index.js', 'cache-control.js', 'security-headers.js'];

describe('functions/*.js load as deployed', () => {
  it.each(FILES)('%s: import() sees a named `handler` function and require() sees exports.handler', (file) => {
    const url = pathToFileURL(join(FUNCTIONS_DIR, file)).href;
    const script = `
      const m = await import(${JSON.stringify(url)});
      const { createRequire } = await import('node:module');
      const r = createRequire(${JSON.stringify(url)})(${JSON.stringify(join(FUNCTIONS_DIR, file))});
      process.stdout.write(JSON.stringify({ named: typeof m.handler, cjs: typeof r.handler }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000, encoding: 'utf8' });
    const info = JSON.parse(out) as { named: string; cjs: string };
    expect(info.named).toBe('function');
    expect(info.cjs).toBe('function');
  });

  it('uses both handler styles across the set (AWS rule: handler styles (Node.js))', () => {
    const script = `
      const out = {};
      for (const f of ${JSON.stringify(FILES)}) {
        const h = require(${JSON.stringify(FUNCTIONS_DIR)} + f).handler;
        out[f] = h.constructor.name === 'AsyncFunction' ? 'async' : h.length >= 3 ? 'callback' : 'other';
      }
      process.stdout.write(JSON.stringify(out));`;
    const out = execFileSync(process.execPath, ['-e', script], { timeout: 10_000, encoding: 'utf8' });
    const styles = Object.values(JSON.parse(out) as Record<string, string>);
    expect(styles).not.toContain('other');
    expect(styles).toContain('async');
    expect(styles).toContain('callback');
  });
});
