// The invalidation API of the admin listener: CloudFront's CreateInvalidation request shapes, its
// quotas (docs/cloudfront-reference.md §6.12), CallerReference idempotency, and the record kept of past invalidations.

import { randomInt } from 'node:crypto';
import { validateInvalidationPath } from '../cache/invalidation.js';
import { AdminError } from './errors.js';
import { isRecord, typeName } from './http.js';

/**
 * docs/cloudfront-reference.md §6.12 / CloudFront's "concurrent invalidation request maximum": 3,000 individual files and,
 * independently, 15 wildcard paths in progress. Our invalidations complete at once, so "in
 * progress" is exactly the request being made.
 */
const MAX_FILE_PATHS = 3000;
const MAX_WILDCARD_PATHS = 15;
/** Past invalidations kept for GET /invalidations and CallerReference reuse. */
export const HISTORY_LIMIT = 1000;

export const INVALIDATION_EXAMPLE = '{"paths": ["/images/*", "/index.html"]}';

interface InvalidationRequest {
  paths: string[];
  /** undefined when the request did not give one (only CloudFront's API requires it). */
  callerReference: string | undefined;
}

/** CloudFront's Invalidation object (API_Invalidation), as returned by Create/GetInvalidation. */
export interface InvalidationRecord {
  Id: string;
  Status: 'Completed';
  CreateTime: string;
  InvalidationBatch: {
    Paths: { Quantity: number; Items: string[] };
    CallerReference: string;
  };
}

function unknownField(field: string, known: readonly string[]): AdminError {
  const name = field.slice(field.lastIndexOf('.') + 1);
  const near = known.find((k) => k.toLowerCase() === name.toLowerCase() || k.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(k.toLowerCase()));
  const hint = near === undefined ? `expected ${known.map((k) => `"${k}"`).join(' or ')}` : `did you mean "${near}"?`;
  return new AdminError('InvalidArgument', `${field}: unknown field (${hint})`, field);
}

function checkKeys(obj: Record<string, unknown>, prefix: string, known: readonly string[]): void {
  for (const k of Object.keys(obj)) if (!known.includes(k)) throw unknownField(`${prefix}${k}`, known);
}

function callerReferenceAt(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new AdminError('InvalidArgument', `${field}: must be a non-empty string (got ${typeName(v)})`, field);
  return v;
}

/** CloudFront's InvalidationBatch (`{"Paths": {"Quantity", "Items"}, "CallerReference"}`) at `prefix`. */
function parseBatch(batch: unknown, prefix: string): { paths: unknown[]; field: string; callerReference: string | undefined } {
  const where = prefix === '' ? 'request body' : prefix.slice(0, -1);
  if (!isRecord(batch)) throw new AdminError('InvalidArgument', `${where}: must be an object (got ${typeName(batch)})`, where);
  checkKeys(batch, prefix, ['Paths', 'CallerReference']);
  const callerReference = callerReferenceAt(batch.CallerReference, `${prefix}CallerReference`);
  const paths = batch.Paths;
  const pf = `${prefix}Paths`;
  if (!isRecord(paths)) throw new AdminError('InvalidArgument', `${pf}: must be an object like {"Quantity": 1, "Items": ["/index.html"]} (got ${typeName(paths)})`, pf);
  checkKeys(paths, `${pf}.`, ['Quantity', 'Items']);
  const items = paths.Items ?? [];
  if (!Array.isArray(items)) throw new AdminError('InvalidArgument', `${pf}.Items: must be an array of paths (got ${typeName(items)})`, `${pf}.Items`);
  const q = paths.Quantity;
  if (q !== undefined) {
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 0) {
      throw new AdminError('InvalidArgument', `${pf}.Quantity: must be a whole number (got ${JSON.stringify(q)})`, `${pf}.Quantity`);
    }
    // CloudFront's InconsistentQuantities.
    if (q !== items.length) {
      throw new AdminError('InconsistentQuantities', `${pf}.Quantity: is ${q} but ${pf}.Items has ${items.length} paths`, `${pf}.Quantity`);
    }
  }
  return { paths: items, field: `${pf}.Items`, callerReference };
}

/**
 * Reads either request shape: ours (`{"paths": [...], "callerReference"?}`), CloudFront's API
 * (`{"InvalidationBatch": {...}}`) or the bare InvalidationBatch the AWS CLI's
 * `--invalidation-batch` file holds. Validates every path (all-or-nothing) and the quotas; throws
 * AdminError 400 naming the field.
 */
export function parseInvalidationRequest(body: unknown): InvalidationRequest {
  if (!isRecord(body)) {
    throw new AdminError('InvalidArgument', `request body: must be a JSON object like ${INVALIDATION_EXAMPLE} (got ${typeName(body)})`);
  }
  let raw: unknown[];
  let field: string;
  let callerReference: string | undefined;
  if ('InvalidationBatch' in body) {
    checkKeys(body, '', ['InvalidationBatch']);
    ({ paths: raw, field, callerReference } = parseBatch(body.InvalidationBatch, 'InvalidationBatch.'));
  } else if ('Paths' in body) {
    ({ paths: raw, field, callerReference } = parseBatch(body, ''));
  } else {
    checkKeys(body, '', ['paths', 'callerReference']);
    if (!('paths' in body)) throw new AdminError('InvalidArgument', `paths: missing; expected JSON like ${INVALIDATION_EXAMPLE}`, 'paths');
    const p = body.paths;
    if (!Array.isArray(p)) throw new AdminError('InvalidArgument', `paths: must be an array of paths (got ${typeName(p)})`, 'paths');
    raw = p;
    field = 'paths';
    callerReference = callerReferenceAt(body.callerReference, 'callerReference');
  }
  if (raw.length === 0) throw new AdminError('InvalidArgument', `${field}: at least one path is required`, field);
  let wildcards = 0;
  for (const p of raw) if (typeof p === 'string' && p.endsWith('*')) wildcards++;
  const files = raw.length - wildcards;
  if (files > MAX_FILE_PATHS) {
    throw new AdminError(
      'TooManyInvalidationsInProgress',
      `${field}: ${files} file paths; CloudFront allows ${MAX_FILE_PATHS} per distribution in progress (AWS rule: invalidation): split the request`,
      field,
    );
  }
  if (wildcards > MAX_WILDCARD_PATHS) {
    throw new AdminError(
      'TooManyInvalidationsInProgress',
      `${field}: ${wildcards} wildcard paths; CloudFront allows ${MAX_WILDCARD_PATHS} in progress (AWS rule: invalidation): use a shorter common prefix such as "/*"`,
      field,
    );
  }
  const paths = raw.map((p, i) => {
    try {
      return validateInvalidationPath(p, `${field}[${i}]`);
    } catch (e) {
      const f = typeof e === 'object' && e !== null && 'field' in e && typeof e.field === 'string' ? e.field : `${field}[${i}]`;
      throw new AdminError('InvalidArgument', e instanceof Error ? e.message : String(e), f);
    }
  });
  return { paths, callerReference };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An id shaped like CloudFront's (`IDFDVBD632BHDS5`: `I` + 14 upper-case letters and digits). */
export function invalidationId(): string {
  let id = 'I';
  for (let k = 0; k < 14; k++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

interface InvalidationHistory {
  get(id: string): InvalidationRecord | undefined;
  /**
   * CloudFront's CallerReference rule: the same reference with the same paths returns the earlier
   * invalidation (`previous`); with different paths it is InvalidationBatchAlreadyExists (400).
   */
  previous(req: InvalidationRequest): InvalidationRecord | undefined;
  add(rec: InvalidationRecord): void;
  /** Newest first. */
  list(): InvalidationRecord[];
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

export function createHistory(limit = HISTORY_LIMIT): InvalidationHistory {
  const byId = new Map<string, InvalidationRecord>();
  const byRef = new Map<string, InvalidationRecord>();
  return {
    get: (id) => byId.get(id),
    previous(req) {
      if (req.callerReference === undefined) return undefined;
      const rec = byRef.get(req.callerReference);
      if (rec === undefined) return undefined;
      if (!samePaths(rec.InvalidationBatch.Paths.Items, req.paths)) {
        throw new AdminError(
          'InvalidationBatchAlreadyExists',
          `CallerReference ${JSON.stringify(req.callerReference)} was used by invalidation ${rec.Id} with other paths; use a new CallerReference for a new invalidation`,
        );
      }
      return rec;
    },
    add(rec) {
      byId.set(rec.Id, rec);
      byRef.set(rec.InvalidationBatch.CallerReference, rec);
      // Oldest first in insertion order: drop from the front.
      while (byId.size > limit) {
        const oldest = byId.values().next().value;
        if (oldest === undefined) break;
        byId.delete(oldest.Id);
        if (byRef.get(oldest.InvalidationBatch.CallerReference) === oldest) byRef.delete(oldest.InvalidationBatch.CallerReference);
      }
    },
    list: () => [...byId.values()].reverse(),
  };
}
