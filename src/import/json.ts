// Reading CloudFront's configuration JSON, which arrives untyped: from `aws cloudfront
// get-distribution-config` (lists as `{ Quantity, Items }`) or from CloudFormation (plain arrays,
// a few fields spelt differently). These accessors accept both forms, so the mapper reads one shape.

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

/** A CloudFront list: `[…]` (CloudFormation) or `{ Quantity, Items }` (the API); absent → []. */
export function items(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  const o = obj(v);
  if (o !== undefined && Array.isArray(o.Items)) return o.Items;
  return [];
}

export function strings(v: unknown): string[] {
  return items(v).filter((x): x is string => typeof x === 'string');
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A number; CloudFormation templates often carry numbers as strings ("30"). */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** The first of several spellings that is present (`OriginSslProtocols` / `OriginSSLProtocols`). */
export function field(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

/** Nothing to report: absent, empty, an empty list, or a disabled empty list (`TrustedSigners`). */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  const o = obj(v);
  if (o === undefined) return false;
  if (o.Quantity === 0) return true;
  return Object.values(o).every((x) => isEmptyValue(x) || x === 0);
}

/** A short printable form of a value for the not-emulated table. */
export function show(v: unknown, max = 60): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (Array.isArray(v) || (isObj(v) && Array.isArray(v.Items))) s = items(v).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
