// HTTPS requests for the import tests (the imported viewer protocol policies need the HTTPS
// listener), trusting only the proxy's self-signed certificate; and a signed URL made the way
// CloudFront's docs describe (custom policy, RSA-SHA1, CloudFront's URL-safe base64).
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS/1.1 request on a fresh connection; bounded by a 10 s timeout. */
export function sendHttps(base: string, p: string, caFile: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(base);
  const ca = readFileSync(caFile);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: u.hostname, port: u.port, path: p, method: opts.method ?? 'GET', headers: opts.headers, ca, servername: 'localhost', agent: false, ALPNProtocols: ['http/1.1'] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('https request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const urlSafe = (b: Buffer): string => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');

/** `path?Policy=…&Signature=…&Key-Pair-Id=…` for a custom policy on `resource` until `expires` (epoch seconds). */
export function signedPath(p: string, resource: string, expires: number, keyPairId: string, privateKeyFile: string): string {
  const policy = JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
  const signature = createSign('RSA-SHA1').update(policy).sign(readFileSync(privateKeyFile));
  const sep = p.includes('?') ? '&' : '?';
  return `${p}${sep}Policy=${urlSafe(Buffer.from(policy))}&Signature=${urlSafe(signature)}&Key-Pair-Id=${keyPairId}`;
}
