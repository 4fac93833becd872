// `listen.https` → the HTTPS viewer listener (docs/cloudfront-reference.md §16): certificate and key
// files (PEM), both or neither; neither = a self-signed certificate for localhost, made at start.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_HTTPS_PORT, DEFAULT_LISTEN_HOST } from '../defaults.js';
import type { Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { ResolvedHttpsListener } from '../types.js';

export function resolveHttpsListener(data: ParsedConfig, flags: { host?: string }, baseDir: string, problems: Problems): ResolvedHttpsListener | undefined {
  const h = data.listen?.https;
  if (h === undefined) return undefined;
  const file = (field: 'cert' | 'key'): string | undefined => {
    const given = h[field];
    if (given === undefined) return undefined;
    const abs = path.resolve(baseDir, given);
    if (!existsSync(abs)) problems.add(['listen', 'https', field], `file not found: ${abs}`);
    return abs;
  };
  const certFile = file('cert');
  const keyFile = file('key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.add(['listen', 'https', certFile === undefined ? 'cert' : 'key'], 'cert and key go together: give both PEM files, or neither for a self-signed localhost certificate');
  }
  return {
    host: h.host ?? flags.host ?? data.listen?.host ?? DEFAULT_LISTEN_HOST,
    port: h.port ?? DEFAULT_HTTPS_PORT,
    certFile,
    keyFile,
  };
}
