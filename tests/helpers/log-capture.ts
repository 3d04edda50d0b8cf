import { setLogSink } from "@/lib/log";

/** Collects every log line written while active. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  setLogSink((_level, line) => lines.push(line));
  return {
    lines,
    stop() {
      setLogSink(null);
      process.env.LOG_LEVEL = previous;
    },
  };
}
