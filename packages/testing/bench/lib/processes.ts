import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Linux only: /proc. Everything here is best effort and returns undefined rather than failing the bench. */

const clockTicksPerSecond = 100; // USER_HZ; `getconf CLK_TCK` is 100 on every Linux we run on.

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const allPids = (): number[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);

/** The process holding the listening TCP socket on 127.0.0.1/0.0.0.0:`port`: the service's own node process, not pnpm or tsx wrappers. */
export function pidListeningOn(port: number): number | undefined {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (readOr(table) ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${portHex}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return undefined;
}

/** Ids of processes whose command line contains `needle` (e.g. the Kafka broker's main class). */
export function pidsWithCommandLine(needle: string): number[] {
  return allPids().filter((pid) => (readOr(`/proc/${pid}/cmdline`) ?? '').includes(needle));
}

/** Peak resident set size (VmHWM) in MiB. */
export function peakRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmHWM:\s+(\d+) kB/.exec(readOr(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) / 1024 : undefined;
}

interface ProcStat { pid: number; ppid: number; comm: string; ticks: number }

function readStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of allPids()) {
    const raw = readOr(`/proc/${pid}/stat`);
    if (!raw) continue;
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const f = raw.slice(close + 2).split(' ');
    // After "(comm) ": state=0, ppid=1, ..., utime=11, stime=12.
    out.push({ pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
  }
  return out;
}

const MACHINE = -1;
export const MACHINE_GROUP = 'machine total (all cores)';

export type CpuSnapshot = Map<number, { group: string; seconds: number }>;

/**
 * CPU seconds used so far by every live process, labelled with its part of the system: the two
 * services (each service's process tree), Postgres, Kafka (java), Temporal, the bench driver, other.
 */
export function cpuSnapshot(services: Record<string, number | undefined>): CpuSnapshot {
  const stats = readStats();
  const parent = new Map(stats.map((s) => [s.pid, s.ppid]));
  const owner = (pid: number): string | undefined => {
    for (let p: number | undefined = pid, hops = 0; p && p > 1 && hops < 64; p = parent.get(p), hops += 1) {
      for (const [name, root] of Object.entries(services)) if (root === p) return name;
    }
    return undefined;
  };
  const byComm: Record<string, string> = { postgres: 'postgres', java: 'kafka', temporal: 'temporal' };
  const snapshot: CpuSnapshot = new Map();
  for (const s of stats) {
    const group = s.pid === process.pid ? 'bench driver' : owner(s.pid) ?? byComm[s.comm] ?? 'other processes';
    snapshot.set(s.pid, { group, seconds: s.ticks / clockTicksPerSecond });
  }
  // Busy time of the whole machine (all cores): it also catches processes that came and went between
  // two snapshots, such as other sessions' test runs on this shared box.
  const cpu = (readOr('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  if (cpu.length >= 8) snapshot.set(MACHINE, { group: MACHINE_GROUP, seconds: (cpu.reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!) / clockTicksPerSecond });
  return snapshot;
}

/**
 * CPU seconds per group between two snapshots, per process: one that started in between counts in
 * full, one that ended in between is lost (short-lived processes are undercounted).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, { group, seconds }] of after) {
    out.set(group, (out.get(group) ?? 0) + Math.max(0, seconds - (before.get(pid)?.seconds ?? 0)));
  }
  return out;
}
