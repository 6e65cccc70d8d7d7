// The CPU time a server process has used so far, read from Linux's /proc/<pid>/stat (user and system
// time, in clock ticks of 10 ms): divided by a slice's requests, what each request cost the server
// itself, whatever the load generator and the other processes on the cores did meanwhile.
import fs from 'node:fs';

/** Clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** A reader of `pid`'s CPU time in µs, or undefined where /proc is not there to read (macOS). */
export function processCpu(pid: number | undefined): (() => number | undefined) | undefined {
  if (pid === undefined || !fs.existsSync(`/proc/${pid}/stat`)) return undefined;
  return () => {
    try {
      // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
      return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  };
}
