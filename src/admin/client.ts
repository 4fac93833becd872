// The CLI side of the admin listener: `edgeproxy invalidate` and `edgeproxy publish` as functions that
// return what to print and the exit status (cli.ts prints and exits), so they are testable in-process.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const REQUEST_TIMEOUT_MS = 15_000;

interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** The admin listener could not be reached at all (as opposed to answering with an error). */
class Unreachable extends Error {}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
};

function reasonOf(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
  return REASONS[code] ?? (e instanceof Error ? e.message : String(e));
}

/** One request to the admin listener; rejects with Unreachable when nothing answers. */
function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const req = send(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (e) => reject(new Unreachable(reasonOf(e))));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`), { code: 'TIMEOUT' })));
    req.on('error', (e) => reject(new Unreachable(reasonOf(e))));
    req.end(payload);
  });
}

function unreachable(base: string, reason: string): CliResult {
  return {
    exitCode: EXIT_FAILURE,
    stdout: '',
    stderr: `edgeproxy: cannot reach the admin listener at ${base}: ${reason} — is edgeproxy running with --admin-port? (set --admin URL or EDGEPROXY_ADMIN)\n`,
  };
}

interface ServerError {
  code: string;
  message: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function serverError(v: unknown): ServerError | undefined {
  if (typeof v !== 'object' || v === null || !('error' in v)) return undefined;
  const e = v.error;
  if (typeof e !== 'object' || e === null || !('message' in e) || typeof e.message !== 'string') return undefined;
  return { code: 'code' in e && typeof e.code === 'string' ? e.code : '', message: e.message };
}

function notAdmin(base: string, a: Answer): CliResult {
  const type = a.contentType === '' ? 'no content type' : a.contentType.split(';')[0];
  return {
    exitCode: EXIT_FAILURE,
    stdout: '',
    stderr: `edgeproxy: ${base} answered HTTP ${a.status} (${type}), not as the edgeproxy admin listener does — is --admin the admin port rather than the viewer port?\n`,
  };
}

/** A refusal from the admin listener: exit 2 when the command's input was at fault, 1 otherwise. */
function refused(command: string, a: Answer, err: ServerError, json: boolean, userStatuses: readonly number[]): CliResult {
  return {
    exitCode: userStatuses.includes(a.status) ? EXIT_USAGE : EXIT_FAILURE,
    stdout: json ? a.text : '',
    stderr: `edgeproxy: ${command}: ${err.message}\n`,
  };
}

async function exchange(base: string, method: string, path: string, body?: unknown): Promise<Answer | CliResult> {
  try {
    return await call(base, method, path, body);
  } catch (e) {
    if (e instanceof Unreachable) return unreachable(base, e.message);
    throw e;
  }
}

function isAnswer(v: Answer | CliResult): v is Answer {
  return 'status' in v;
}

interface InvalidateOptions {
  admin: string;
  paths: readonly string[];
  json: boolean;
  callerReference?: string;
}

/** `edgeproxy invalidate`: POST /invalidations. 0 on 201, 2 when the paths were refused, 1 otherwise. */
export async function runInvalidate(o: InvalidateOptions): Promise<CliResult> {
  const body: { paths: readonly string[]; callerReference?: string } = { paths: o.paths };
  if (o.callerReference !== undefined) body.callerReference = o.callerReference;
  const a = await exchange(o.admin, 'POST', '/invalidations', body);
  if (!isAnswer(a)) return a;
  const v = parseJson(a.text);
  if (a.status !== 201) {
    const err = serverError(v);
    return err === undefined ? notAdmin(o.admin, a) : refused('invalidate', a, err, o.json, [400, 413]);
  }
  if (typeof v !== 'object' || v === null || !('removed' in v) || !Array.isArray(v.removed)) return notAdmin(o.admin, a);
  if (o.json) return { exitCode: EXIT_OK, stdout: a.text, stderr: '' };
  const keys = v.removed.map((k) => String(k));
  const lines = [`invalidated ${keys.length} object${keys.length === 1 ? '' : 's'}`, ...keys];
  return { exitCode: EXIT_OK, stdout: `${lines.join('\n')}\n`, stderr: '' };
}

interface PublishOptions {
  admin: string;
  functionName: string;
  json: boolean;
}

/** `edgeproxy publish`: POST /functions/{name}/versions. 0 on 201/200, 2 for an unknown function or a refused publish. */
export async function runPublish(o: PublishOptions): Promise<CliResult> {
  const a = await exchange(o.admin, 'POST', `/functions/${encodeURIComponent(o.functionName)}/versions`);
  if (!isAnswer(a)) return a;
  const v = parseJson(a.text);
  if (a.status !== 201 && a.status !== 200) {
    const err = serverError(v);
    return err === undefined ? notAdmin(o.admin, a) : refused('publish', a, err, o.json, [400, 404]);
  }
  if (typeof v !== 'object' || v === null || !('Version' in v) || !('created' in v)) return notAdmin(o.admin, a);
  if (o.json) return { exitCode: EXIT_OK, stdout: a.text, stderr: '' };
  const version = String(v.Version);
  const line = v.created === true ? `published ${o.functionName} version ${version}` : `${o.functionName}: code unchanged since version ${version}, no new version`;
  return { exitCode: EXIT_OK, stdout: `${line}\n`, stderr: '' };
}
