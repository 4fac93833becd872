// Server-side cost of a run, read from outside the measured process (so it needs no cooperation
// from edgeproxy): CPU time of all its threads (worker threads included) and its peak RSS.
// Linux /proc only; elsewhere the numbers are reported as n/a.

import { readdirSync, readFileSync } from 'node:fs';

/**
 * /proc/<pid>/stat counts in USER_HZ ticks, which the kernel fixes at 100 on every architecture
 * Node supports (proc(5): "sysconf(_SC_CLK_TCK)", 100 in practice), so 10 ms resolution: over a
 * 3 s run at one busy core that is ~0.3 % error.
 */
const USER_HZ = 100;

/** utime + stime of the whole process in microseconds, or undefined without /proc. */
export function processCpuUs(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1e6) / USER_HZ;
}

/** VmRSS: the process's resident set now, in bytes (its worker threads included). */
export function processRssBytes(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

/** VmHWM: the process's peak resident set since it started, in bytes. */
export function processPeakRssBytes(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

/** The process and its descendants (nginx's master forks its workers), by scanning /proc for parent pids. */
export function processTree(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [pid];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    let text: string;
    try {
      text = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // Field 4 (ppid) is fields[1] after the command name.
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid);
    if (list) list.push(Number(e));
    else children.set(ppid, [Number(e)]);
  }
  const out: number[] = [];
  const todo = [pid];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU of a process and its descendants; for edgeproxy (threads, no child processes) the same as processCpuUs. */
export function processTreeCpuUs(pid: number): number | undefined {
  let sum: number | undefined;
  for (const p of processTree(pid)) {
    const us = processCpuUs(p);
    if (us !== undefined) sum = (sum ?? 0) + us;
  }
  return sum;
}

/** Sum of the peak RSS of a process and its descendants (an upper bound of their joint peak). */
export function processTreePeakRssBytes(pid: number): number | undefined {
  let sum: number | undefined;
  for (const p of processTree(pid)) {
    const b = processPeakRssBytes(p);
    if (b !== undefined) sum = (sum ?? 0) + b;
  }
  return sum;
}
