import { readFileSync } from 'node:fs';

/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ) on every platform we run. */
const TICK_MS = 10;

/**
 * CPU time (user + system, ms) the given local processes used so far, from /proc; null where
 * it cannot be read (not Linux, or a database on another machine).
 */
export function processCpuMs(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
    } catch {
      return null;
    }
  }
  return total;
}

/** This Node process's CPU time so far (ms). */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
