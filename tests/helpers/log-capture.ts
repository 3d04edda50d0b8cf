import { setLogSink } from "@/lib/log";

/** Collects every log line written while active, at every level. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  setLogSink((line) => lines.push(line));
  return {
    lines,
    stop() {
      setLogSink(null);
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    },
  };
}
