import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * CPU time (user + system, every thread) of this process and every process it started, by
 * component, read from Linux's /proc: where a run's CPU went, so the ceiling of a machine is
 * visible. Processes that ended between two samples are not counted (the stack's are long-lived).
 */
export type CpuByComponent = Record<string, number>;

/** What a process of the local stack is, from its command line and working folder. */
export const componentOf = (cmdline: string, cwd: string, own: boolean): string => {
  if (own) return 'bench process (local cloud, meter proxies, clients)';
  if (/\bjava\b/.test(cmdline)) return 'DynamoDB Local (Java)';
  if (/serverless(\.js)?\s+offline/.test(cmdline)) {
    return `serverless offline: ${path.basename(cwd)}`;
  }
  if (/esbuild/.test(cmdline)) return 'esbuild';
  return 'other';
};

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMs: number;
}

/** /proc/<pid>/stat: the command may hold spaces and parentheses, so split after the last ')'. */
export const parseStat = (text: string): ProcStat | undefined => {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the command: state (3), ppid (4), … utime (14), stime (15) — 1-based in proc(5).
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND };
};

/** CPU ms so far of this process and its descendants, summed by component. */
export const sampleCpu = async (root = process.pid): Promise<CpuByComponent> => {
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name));
  const stats = (
    await Promise.all(
      pids.map((pid) =>
        readFile(`/proc/${pid}/stat`, 'utf8')
          .then(parseStat)
          .catch(() => undefined),
      ),
    )
  ).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  }
  const byComponent: CpuByComponent = {};
  const visit = async (stat: ProcStat) => {
    const cmdline = await readFile(`/proc/${stat.pid}/cmdline`, 'utf8')
      .then((raw) => raw.split('\0').join(' '))
      .catch(() => '');
    const cwd = await readlink(`/proc/${stat.pid}/cwd`).catch(() => '');
    const component = componentOf(cmdline, cwd, stat.pid === root);
    byComponent[component] = (byComponent[component] ?? 0) + stat.cpuMs;
    for (const child of children.get(stat.pid) ?? []) await visit(child);
  };
  const self = stats.find((s) => s.pid === root);
  if (self) await visit(self);
  return byComponent;
};

/** What each component used between two samples, per order (ms), largest first. */
export const cpuPerOrder = (
  before: CpuByComponent,
  after: CpuByComponent,
  orders: number,
): CpuByComponent =>
  Object.fromEntries(
    Object.entries(after)
      .map(([component, ms]) => [component, (ms - (before[component] ?? 0)) / Math.max(1, orders)])
      .filter(([, ms]) => (ms as number) > 0)
      .sort((a, b) => (b[1] as number) - (a[1] as number)),
  );
