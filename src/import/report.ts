// What an import could not emulate: one row per CloudFront field that edgeproxy ignores or does
// differently, printed as one short table at start (and by `edgeproxy config --print` on stderr).
// Nothing is dropped without a row.

export interface NotEmulated {
  /** Where the field is, in CloudFront's names: `DefaultCacheBehavior.ViewerProtocolPolicy`. */
  field: string;
  /** Its value, shortened. */
  value: string;
  /** "ignored locally", "not emulated", or what edgeproxy does instead. */
  note: string;
}

export function formatNotEmulated(rows: readonly NotEmulated[]): string[] {
  if (rows.length === 0) return [];
  const head: NotEmulated = { field: 'field', value: 'value', note: 'locally' };
  const all = [head, ...rows];
  const w1 = Math.max(...all.map((r) => r.field.length));
  const w2 = Math.max(...all.map((r) => r.value.length));
  return [
    `not emulated (${rows.length}):`,
    ...all.map((r) => `  ${r.field.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.note}`),
  ];
}
