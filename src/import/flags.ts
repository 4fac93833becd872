// --origin-map DOMAIN=URL, --function-map ARN=FILE[#export] and --kvs-map NAME=FILE: repeatable, or
// a JSON file holding `{ "DOMAIN": "URL" }` / `{ "ARN": "FILE" }`. Parsed once at start.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { LocalCode } from './context.js';

function pairs(flag: string, values: readonly string[], example: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    if (eq > 0) {
      out.push([v.slice(0, eq), v.slice(eq + 1), `${flag} ${v}`]);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(v, 'utf8'));
    } catch (e) {
      throw new ConfigError('UsageError', `${flag} ${v}: expected ${example} or a JSON file of such pairs (${e instanceof Error ? e.message : String(e)})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('UsageError', `${flag} ${v}: the file must hold one JSON object`);
    for (const [k, val] of Object.entries(parsed)) {
      if (typeof val !== 'string') throw new ConfigError('UsageError', `${flag} ${v}: "${k}" must map to a string`);
      // Relative files in a map file are relative to the map file.
      out.push([k, val, `${flag} ${v} ("${k}")`]);
    }
  }
  return out;
}

export function parseOriginMap(values: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [domain, url, where] of pairs('--origin-map', values, 'DOMAIN=URL')) {
    if (!/^https?:\/\//.test(url)) throw new ConfigError('UsageError', `${where}: the local origin must be an http:// or https:// URL, got "${url}"`);
    m.set(domain, url);
  }
  return m;
}

export function parseFunctionMap(values: readonly string[], cwd = process.cwd()): Map<string, LocalCode> {
  const m = new Map<string, LocalCode>();
  for (const [arn, spec, where] of pairs('--function-map', values, 'ARN=FILE')) {
    const hash = spec.lastIndexOf('#');
    const file = hash === -1 ? spec : spec.slice(0, hash);
    if (file === '') throw new ConfigError('UsageError', `${where}: FILE must not be empty`);
    const exportName = hash === -1 ? undefined : spec.slice(hash + 1);
    const abs = path.resolve(cwd, file);
    m.set(arn, exportName === undefined ? { file: abs } : { file: abs, export: exportName });
  }
  return m;
}

/** --kvs-map NAME=FILE: a key value store's data file, absolute (the config loader checks it). */
export function parseKvsMap(values: readonly string[], cwd = process.cwd()): Map<string, string> {
  const m = new Map<string, string>();
  for (const [key, file, where] of pairs('--kvs-map', values, 'NAME=FILE')) {
    if (file === '') throw new ConfigError('UsageError', `${where}: FILE must not be empty`);
    m.set(key, path.resolve(cwd, file));
  }
  return m;
}
