/**
 * Child processes the benchmark starts (the build and the app server), each in its own process
 * group so that killing it also kills whatever it spawned (npx → next, next → workers), and
 * nothing else. Every live child is remembered so a timeout, Ctrl-C or a crash can end them.
 */
import { spawn, type SpawnOptions } from "node:child_process";
import readline from "node:readline";
import type { Readable } from "node:stream";

export type ManagedProcess = {
  pid: number;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM to the process group, then SIGKILL after `graceMs` if it is still running. */
  stop(graceMs?: number): Promise<void>;
};

const live = new Set<ManagedProcess>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group, which `detached: true` made this child the leader of.
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

// Last resort when the benchmark exits without running its cleanup (an uncaught throw): only a
// synchronous kill is possible here.
process.on("exit", () => {
  for (const child of live) signalGroup(child.pid, "SIGKILL");
});

export function startProcess(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, "detached" | "stdio">,
  onLine: (stream: "stdout" | "stderr", line: string) => void,
): ManagedProcess {
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);

  const lines = (stream: Readable | null, name: "stdout" | "stderr") => {
    if (!stream) return;
    readline
      .createInterface({ input: stream, crlfDelay: Infinity })
      .on("line", (line) => onLine(name, line));
  };
  lines(child.stdout, "stdout");
  lines(child.stderr, "stderr");

  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    // "close", not "exit": it also waits for stdout/stderr to end, so no log line is lost.
    child.once("close", (code, signal) => {
      done = true;
      live.delete(managed);
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (error) => {
      done = true;
      live.delete(managed);
      resolve(error.message);
    });
  });

  const managed: ManagedProcess = {
    pid,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5_000) {
      if (done) return;
      signalGroup(pid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        signalGroup(pid, "SIGKILL");
        await exited;
      } else {
        // The leader is gone; make sure nothing it left behind in its group survives.
        signalGroup(pid, "SIGKILL");
      }
    },
  };
  live.add(managed);
  return managed;
}

/** Keeps the last `size` lines of a process's output for error messages. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  text(indent = "    "): string {
    return this.lines.map((l) => indent + (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join("\n");
  }
}
