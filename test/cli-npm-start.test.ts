// `npm start` as a person runs it: a signal to the npm process reaches edgeproxy, which closes and
// frees its port. npm does not forward signals through a shell that keeps running (`a && node …`), so
// the build runs in `prestart` and `start` execs node. `--ignore-scripts` skips only the prestart
// build (dist/ is built before the tests run), never the start script itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Resolves true when something accepts a connection on the port, false when it is refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function freedWithin(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await accepts(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function startedPort(child: ReturnType<typeof spawn>): Promise<number> {
  let out = '';
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for await (const chunk of child.stdout ?? []) {
      out += String(chunk);
      const m = /edgeproxy listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1] !== undefined) return Number(m[1]);
    }
  } finally {
    clearTimeout(deadline);
  }
  throw new Error(`npm start never said it was listening; stdout: ${out}`);
}

describe('npm start', () => {
  it('builds in prestart and execs node in start, so npm passes signals straight to edgeproxy', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toMatch(/npm run build/);
    expect(pkg.scripts.start).toMatch(/^exec node /);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm process frees the port within 5 s`, async () => {
      if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
      const child = spawn(NPM, ['start', '--ignore-scripts', '--silent', '--', '--port', '0'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      const exited = once(child, 'exit');
      try {
        const port = await startedPort(child);
        expect(await accepts(port)).toBe(true);
        child.kill(signal);
        expect(await freedWithin(port, 5_000)).toBe(true);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }, 45_000);
  }
});
