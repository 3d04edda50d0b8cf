/**
 * CPU time spent by the app server. On a small shared machine throughput swings with whatever
 * else runs; CPU milliseconds per request are a steadier measure of what a request costs the
 * app. Linux only (/proc); elsewhere the figures are null. PostgreSQL's own CPU is not included.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second for /proc times: USER_HZ, 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;

/** [process group, utime + stime in ticks] of one /proc/<pid>/stat line. */
function parseStat(stat: string): [number, number] | undefined {
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // From field 3 on: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime.
  const pgrp = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(pgrp) && Number.isFinite(ticks) ? [pgrp, ticks] : undefined;
}

/**
 * Total CPU milliseconds used so far by every live process in process group `pgid` (the server
 * and anything it spawned), or null where /proc is not available.
 */
export function processGroupCpuMs(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  let ticks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const parsed = parseStat(stat);
    if (parsed && parsed[0] === pgid) ticks += parsed[1];
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
