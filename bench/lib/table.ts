// One aligned plain-text table; numbers right-aligned so columns of req/s can be compared by eye.

export type Align = 'l' | 'r';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? c.length;
        return align[i] === 'r' ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function formatMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const cell = (c: string): string => c.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** 41203.4 → "41,203"; undefined → "-". */
export function fmtInt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US');
}

export function fmtFixed(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** Microseconds shown as milliseconds with µs precision: 1234 → "1.234". */
export function fmtMs(us: number | undefined): string {
  return us === undefined ? '-' : (us / 1000).toFixed(3);
}

export function fmtDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
